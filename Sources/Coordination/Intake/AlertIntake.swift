public import Foundation
public import Logging
import Metrics
public import Persistence
public import StarlingCore

/// Takes raw notices from every transport, stores each durably before it is acknowledged,
/// and hands the ones to act on to the coordinator, exactly once across restarts.
///
/// ```swift
/// let intake = AlertIntake(store: store, clock: WallClock(), logger: logger)
/// try await intake.start()                               // re-delivers what a crash left
/// Task { for await accepted in intake.accepted { … ; try await intake.finish(accepted.alert.id, note: "assigned") } }
/// let receipt = try await intake.submit(packetBytes, transport: "vtp://broker:8099")
/// // now acknowledge the packet to the broker
/// ```
///
/// ## Guarantees
/// - **Stored before acknowledged.** ``submit(_:transport:)`` returns only after the
///   notice's transaction has committed (``Persistence/AlertStore`` promises durability on
///   return). Its raw bytes are kept whatever happens next, even when it cannot be parsed
///   (status `refused`, with the reason); of a notice over the 8 MiB limit, its first 64 KiB.
/// - **No input takes it down.** Any bytes may be submitted: they are checked before a parser
///   sees them, and what is refused is stored with the reason.
/// - **No duplicates.** A notice whose id is already stored changes nothing (``IntakeReceipt/Outcome/duplicate``).
/// - **Exactly once.** A notice handed on stays `received` until ``finish(_:note:)`` or
///   ``decline(_:reason:)`` marks it, which the store does at most once. After a crash,
///   ``start()`` hands on again every notice still `received`, flagged ``AcceptedAlert/isRedelivery``:
///   the receiver must make acting on a notice idempotent (keyed by the alert's id).
/// - **Group commit.** Notices arriving while a transaction is in flight are stored together
///   in the next one, so a burst of thousands per second costs a few commits, not thousands.
///
/// ## Policy
/// See ``IntakePolicy``: test notices are recorded and ignored unless accepted; notices with
/// no position are recorded and ignored for scheduling; a notice older than one already handed
/// on for its event, or of an event already retracted, is ignored with the reason; a
/// retraction is always handed on.
public actor AlertIntake {
    /// The notices to act on, in the order they were stored; recovered ones first. One
    /// consumer: the coordinator.
    public nonisolated let accepted: AsyncStream<AcceptedAlert>

    private let continuation: AsyncStream<AcceptedAlert>.Continuation
    private let handler: (@Sendable ([AcceptedAlert]) async -> Void)?
    private let store: any AlertStore
    private let policy: IntakePolicy
    private let clock: any UTCClock
    private let logger: Logger
    private let maximumBatch: Int

    private var ledger = EventLedger()
    private var isStarted = false

    /// Notices waiting for the next commit, in arrival order, with their waiting submitters.
    private var queue: [Pending] = []
    private var isWriting = false

    private struct Pending {
        let ticket: UInt64
        let notice: PreparedNotice
        var continuation: CheckedContinuation<Turn, Never>?
    }

    /// What a waiting submitter is told: its result, or that it now leads the next commit.
    private enum Turn {
        case done(Result<IntakeReceipt, StoreError>)
        case lead
    }

    private var nextTicket: UInt64 = 0
    private var results: [UInt64: Result<IntakeReceipt, StoreError>] = [:]

    private let counter = Metrics.Counter(label: "starling_alerts_received_total")
    private let refusedCounter = Metrics.Counter(label: "starling_alerts_refused_total")
    private let ignoredCounter = Metrics.Counter(label: "starling_alerts_ignored_total")
    private let duplicateCounter = Metrics.Counter(label: "starling_alerts_duplicate_total")
    private let batchSize = Metrics.Recorder(label: "starling_alert_commit_batch_size")

    /// Creates an intake over a store.
    ///
    /// - Parameters:
    ///   - store: where notices are kept (``Persistence/SQLiteStore`` in production).
    ///   - policy: what to hand on.
    ///   - clock: gives the receipt time of each notice.
    ///   - logger: the intake's logger; messages carry `alert.id`, `alert.event`, `alert.transport`.
    ///   - maximumBatch: the most notices stored in one transaction.
    public init(
        store: any AlertStore, policy: IntakePolicy = IntakePolicy(), clock: any UTCClock, logger: Logger, maximumBatch: Int = 512
    ) {
        self.init(store: store, policy: policy, clock: clock, logger: logger, maximumBatch: maximumBatch, handler: nil)
    }

    /// Creates an intake that hands accepted alerts to `handler` instead of ``accepted``, in
    /// the batches in which they were committed (so the receiver can record its decisions on a
    /// burst in one transaction too).
    ///
    /// The handler runs in the task that committed the batch (the submitter leading it, or
    /// ``start()``'s caller for recovered notices) before that call returns. Under a
    /// ``SimulationClock`` this keeps alert handling on the simulated timeline, where a
    /// consumer waiting on a stream would count as a running task and stop time.
    public init(
        store: any AlertStore, policy: IntakePolicy = IntakePolicy(), clock: any UTCClock, logger: Logger, maximumBatch: Int = 512,
        handler: (@Sendable ([AcceptedAlert]) async -> Void)?
    ) {
        precondition(maximumBatch > 0, "maximumBatch must be positive")
        self.handler = handler
        self.store = store
        self.policy = policy
        self.clock = clock
        self.logger = logger
        self.maximumBatch = maximumBatch
        (accepted, continuation) = AsyncStream.makeStream(of: AcceptedAlert.self, bufferingPolicy: .unbounded)
    }

    // MARK: Start and stop

    /// Hands on again every notice a previous run stored as `received` and did not finish,
    /// oldest first, before any new notice. Call once, before the transports start.
    ///
    /// - Returns: how many notices were handed on again.
    /// - Throws: ``Persistence/StoreError`` when the store cannot be read.
    @discardableResult
    public func start() async throws(StoreError) -> Int {
        guard !isStarted else { return 0 }
        let pending = try await store.unprocessedAlerts(limit: Int(Int32.max))
        var byEvent: [String: [AlertRecord]] = [:]
        var recovered: [AcceptedAlert] = []
        for record in pending {
            guard let alert = record.alert else {
                // A `received` record without an alert cannot be acted on; say so and move it out.
                try await store.markAlert(record.id, status: .refused, note: "stored as received without a parsed alert")
                continue
            }
            if byEvent[alert.eventID] == nil { byEvent[alert.eventID] = try await store.alerts(event: alert.eventID) }
            let earlier = (byEvent[alert.eventID] ?? [])
                .prefix { $0.id != record.id }
                .filter { $0.status.wasHandedOn }
                .compactMap { $0.alert.map(EventLedger.Entry.init) }
            let accepted = AcceptedAlert(
                alert: alert, change: EventLedger.change(of: alert, among: earlier), raw: record.raw, transport: record.transport,
                receivedAt: record.receivedAt, format: AlertFormat(rawValue: record.format) ?? .unknown, isRedelivery: true)
            logger.notice("Alert handed on again after a restart", metadata: Self.metadata(alert, transport: record.transport))
            recovered.append(accepted)
        }
        await handOn(recovered)
        isStarted = true
        if !pending.isEmpty { logger.notice("Recovered unfinished alerts", metadata: ["alert.count": "\(pending.count)"]) }
        return pending.count
    }

    /// Ends ``accepted``: the consumer's loop finishes after the notices already handed on.
    public func stop() {
        continuation.finish()
    }

    // MARK: Taking notices in

    /// Stores a notice and decides what to do with it; returns once it is durable.
    ///
    /// - Parameters:
    ///   - raw: the notice exactly as received.
    ///   - transport: where it came from, e.g. `vtp://127.0.0.1:8099`, `folder:/var/alerts`.
    /// - Returns: the notice's id and what happened to it. Acknowledge the notice to its
    ///   sender only after this returns.
    /// - Throws: ``Persistence/StoreError`` when the notice could not be stored: do not
    ///   acknowledge it; the sender will send it again.
    /// - Precondition: ``start()`` has been called.
    public nonisolated func submit(_ raw: Data, transport: String) async throws(StoreError) -> IntakeReceipt {
        let notice = PreparedNotice(raw: raw, transport: transport)  // parsing runs outside the actor
        return try await store(notice)
    }

    /// Records what was done with a handed-on notice: it is `processed`. Marking twice is a no-op.
    ///
    /// - Returns: `true` if this call moved the notice out of `received`.
    @discardableResult
    public func finish(_ id: AlertID, note: String) async throws(StoreError) -> Bool {
        try await store.markAlert(id, status: .processed, note: note)
    }

    /// Records that a handed-on notice was deliberately not acted on: it is `ignored`.
    ///
    /// - Returns: `true` if this call moved the notice out of `received`.
    @discardableResult
    public func decline(_ id: AlertID, reason: String) async throws(StoreError) -> Bool {
        try await store.markAlert(id, status: .ignored, note: reason)
    }

    // MARK: Group commit

    private func store(_ notice: PreparedNotice) async throws(StoreError) -> IntakeReceipt {
        precondition(isStarted, "AlertIntake.start() must be called before notices are submitted")
        let ticket = nextTicket
        nextTicket += 1
        if isWriting {
            let turn = await withCheckedContinuation { (waiter: CheckedContinuation<Turn, Never>) in
                queue.append(Pending(ticket: ticket, notice: notice, continuation: waiter))
            }
            if case .done(let result) = turn { return try result.get() }
        } else {
            isWriting = true
            queue.append(Pending(ticket: ticket, notice: notice, continuation: nil))
        }
        // This submitter leads: commit batches until its own notice is done.
        while results[ticket] == nil {
            await commitNextBatch()
        }
        handOverLeadership()
        let result = results.removeValue(forKey: ticket) ?? .failure(StoreError(.failed, "the intake lost a notice's result"))
        return try result.get()
    }

    /// After a leader's notice is stored: the first waiter leads the next batch, or nobody writes.
    private func handOverLeadership() {
        if let index = queue.firstIndex(where: { $0.continuation != nil }) {
            let next = queue[index].continuation
            queue[index].continuation = nil
            next?.resume(returning: .lead)
        } else {
            isWriting = false
        }
    }

    private func commitNextBatch() async {
        let batch = Array(queue.prefix(maximumBatch))
        queue.removeFirst(batch.count)
        let receivedAt = clock.currentDate

        // Load the events of this batch the ledger has not seen since start-up.
        let unseen = Set(batch.compactMap { $0.notice.parsed?.alert.eventID }.filter { !ledger.isLoaded($0) })
        for eventID in unseen.sorted() {
            do {
                let stored = try await store.alerts(event: eventID)
                ledger.load(
                    eventID,
                    entries: stored.filter { $0.status.wasHandedOn }.compactMap { $0.alert.map(EventLedger.Entry.init) })
            } catch {
                fail(batch, with: error)
                return
            }
        }

        let (records, decisions) = decide(batch, receivedAt: receivedAt)

        let inserted: [Bool]
        do {
            inserted = try await store.insertAlerts(records)
        } catch {
            fail(batch, with: error)
            return
        }
        batchSize.record(batch.count)

        var handedOn: [AcceptedAlert] = []
        for (index, pending) in batch.enumerated() {
            let record = records[index]
            let receipt: IntakeReceipt
            var metadata: Logger.Metadata = ["alert.id": "\(record.id)", "alert.transport": "\(record.transport)"]
            if let alert = record.alert { metadata["alert.event"] = "\(alert.eventID)" }
            if !inserted[index] {
                receipt = IntakeReceipt(id: record.id, outcome: .duplicate)
                duplicateCounter.increment()
                logger.debug("Duplicate alert ignored", metadata: metadata)
            } else {
                counter.increment()
                switch (decisions[index], record.alert) {
                case (.some(.handOn(let change)), .some(let alert)):
                    ledger.record(alert)
                    receipt = IntakeReceipt(id: record.id, outcome: .accepted)
                    metadata["alert.change"] = "\(Self.describe(change))"
                    logger.info("Alert accepted", metadata: metadata)
                    handedOn.append(
                        AcceptedAlert(
                            alert: alert, change: change, raw: record.raw, transport: record.transport, receivedAt: record.receivedAt,
                            format: AlertFormat(rawValue: record.format) ?? .unknown, isRedelivery: false))
                case (.some(.ignore(let reason)), _):
                    ignoredCounter.increment()
                    receipt = IntakeReceipt(id: record.id, outcome: .ignored(reason: reason))
                    metadata["alert.reason"] = "\(reason)"
                    logger.info("Alert recorded and ignored", metadata: metadata)
                default:
                    refusedCounter.increment()
                    receipt = IntakeReceipt(id: record.id, outcome: .refused(reason: record.note))
                    metadata["alert.reason"] = "\(record.note)"
                    logger.warning("Alert refused", metadata: metadata)
                }
            }
            deliver(.success(receipt), to: pending)
        }
        await handOn(handedOn)
    }

    /// Decides each notice of a batch against the ledger and the notices before it in the
    /// batch, and makes its record. The ledger is not changed here: only what is stored is
    /// recorded in it (and a copy of it per batch would cost a copy of every event seen).
    private func decide(_ batch: [Pending], receivedAt: Date) -> ([AlertRecord], [EventLedger.Decision?]) {
        var handingOn: [String: [EventLedger.Entry]] = [:]  // this batch's notices to hand on, by event
        var records: [AlertRecord] = []
        var decisions: [EventLedger.Decision?] = []
        for pending in batch {
            let notice = pending.notice
            switch notice.parsed {
            case .none:
                decisions.append(nil)
                records.append(
                    AlertRecord(
                        id: notice.id, receivedAt: receivedAt, transport: notice.transport, format: notice.format.rawValue,
                        raw: notice.storedRaw, alert: nil, status: .refused, note: notice.refusal?.description ?? "unreadable"))
            case .some(let parsed):
                let decision = ledger.decide(parsed.alert, policy: policy, pending: handingOn[parsed.alert.eventID] ?? [])
                decisions.append(decision)
                let status: AlertRecord.Status
                let note: String
                switch decision {
                case .handOn(let change):
                    handingOn[parsed.alert.eventID, default: []].append(EventLedger.Entry(parsed.alert))
                    status = .received
                    note = Self.describe(change) + (parsed.remarks.isEmpty ? "" : "; " + parsed.remarks.joined(separator: "; "))
                case .ignore(let reason):
                    status = .ignored
                    note = reason
                }
                records.append(
                    AlertRecord(
                        id: notice.id, receivedAt: receivedAt, transport: notice.transport, format: parsed.format.rawValue, raw: notice.raw,
                        alert: parsed.alert, status: status, note: note))
            }
        }
        return (records, decisions)
    }

    /// Gives accepted alerts to the handler, or to the ``accepted`` stream.
    private func handOn(_ accepted: [AcceptedAlert]) async {
        guard !accepted.isEmpty else { return }
        if let handler {
            await handler(accepted)
        } else {
            for alert in accepted { continuation.yield(alert) }
        }
    }

    /// Fails every notice of a batch (nothing of it was stored) and forgets the ledger, which
    /// is reloaded from the store on the next batch.
    private func fail(_ batch: [Pending], with error: StoreError) {
        ledger.forget()
        logger.error("Alerts could not be stored", metadata: ["alert.count": "\(batch.count)", "store.error": "\(error)"])
        for pending in batch { deliver(.failure(error), to: pending) }
    }

    private func deliver(_ result: Result<IntakeReceipt, StoreError>, to pending: Pending) {
        if let waiter = pending.continuation {
            waiter.resume(returning: .done(result))
        } else {
            results[pending.ticket] = result  // the leader's own notice
        }
    }

    private static func describe(_ change: AcceptedAlert.Change) -> String {
        switch change {
        case .new: "new event"
        case .update(let previous): "update of \(previous)"
        case .retraction(let previous): "retraction\(previous.map { " of \($0)" } ?? "")"
        }
    }

    private static func metadata(_ alert: Alert, transport: String) -> Logger.Metadata {
        ["alert.id": "\(alert.id)", "alert.event": "\(alert.eventID)", "alert.transport": "\(transport)"]
    }
}

/// A notice read outside the actor: parsed, or refused with the reason.
struct PreparedNotice: Sendable {
    let raw: Data
    let transport: String
    let parsed: ParsedNotice?
    let refusal: AlertFormatError?

    init(raw: Data, transport: String) {
        self.raw = raw
        self.transport = transport
        do {
            parsed = try AlertParser.parse(raw)
            refusal = nil
        } catch {
            parsed = nil
            refusal = error
        }
    }

    /// The bytes to keep: all of them, except for a notice refused as too large, of which the
    /// first 64 KiB are kept (enough to see what it was).
    var storedRaw: Data {
        guard refusal?.code == .tooLarge, raw.count > NoticeBytes.maximumByteCount else { return raw }
        return raw.prefix(64 << 10)
    }

    /// The id to store it under: the alert's, or a digest of unreadable bytes (so the same
    /// unreadable notice sent twice is stored once).
    var id: AlertID { parsed?.alert.id ?? AlertID("refused:\(Digest.fnv1a64Hex(raw))") }

    var format: AlertFormat { parsed?.format ?? AlertParser.guessFormat(raw) }
}
