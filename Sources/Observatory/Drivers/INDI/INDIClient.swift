import Foundation
public import Logging
public import StarlingCore

/// A client of an INDI server (`indiserver`): it keeps every device's properties as the
/// server last described them, sends commands, and waits for the device to finish.
///
/// One client serves all the drivers of a telescope (``INDIMount``, ``INDICamera``, …): INDI
/// multiplexes every device over one TCP connection.
///
/// - Every wait has a deadline and fails with ``DriverError`` `.timeout` naming the device,
///   the property and what it waited for.
/// - A property going `Alert` while waited on fails the wait with `.deviceFault` and the
///   device's last message; a driver that dies (the server sends `delProperty` for its
///   device) fails waits on it with `.deviceFault`.
/// - When the connection drops, pending waits fail with `.disconnected`, and the client
///   reconnects by itself (backing off from 0.25 s to 5 s) and also on the next command;
///   it then asks for every property again and re-enables the BLOBs it had enabled.
///
/// Timeouts use wall time (`ContinuousClock`): they bound real I/O with real hardware, unlike
/// the agent's decisions, which run on the injected clock.
///
/// ```swift
/// let client = INDIClient(host: "127.0.0.1", port: 7624)
/// try await client.connect(for: .mount)
/// try await client.connectDevice("Telescope Simulator", kind: .mount)
/// ```
public actor INDIClient {
    /// How the server should send BLOBs to this client (`enableBLOB`).
    public enum BLOBMode: String, Sendable {
        /// No BLOBs (the server's default).
        case never = "Never"
        /// BLOBs along with other updates.
        case also = "Also"
        /// Only BLOBs.
        case only = "Only"
    }

    public nonisolated let host: String
    public nonisolated let port: Int
    /// How long to wait for a TCP connection.
    public nonisolated let connectTimeout: Duration
    /// How long to wait for a device's properties after connecting (and for `CONNECTION` to take).
    public nonisolated let deviceTimeout: Duration
    private let logger: Logger

    private struct Key: Hashable { let device: String, property: String }
    private struct Entry { var vector: INDIVector, generation: Int }
    private struct Waiter {
        let device: String
        let properties: Set<String>
        let kind: DeviceKind
        let what: String
        let failOnAlert: Bool
        let after: Int
        let predicate: @Sendable (INDIVector) -> Bool
        let continuation: CheckedContinuation<Result<INDIVector, DriverError>, Never>
        let timeoutTask: Task<Void, Never>
    }

    private var connection: INDIConnection?
    private var connectionNumber = 0
    private var wantsConnection = false
    private var reconnectTask: Task<Void, Never>?
    private var properties: [Key: Entry] = [:]
    private var generation = 0
    private var waiters: [Int: Waiter] = [:]
    private var nextWaiterID = 0
    private var recentMessages: [String: [INDIMessage]] = [:]
    private var blobModes: [Key: BLOBMode] = [:]
    /// How many times the connection was (re-)established; tests and logs read it.
    public private(set) var connectionCount = 0
    /// The reason the last connection ended, if one did.
    public private(set) var lastDisconnectReason: String?

    /// Creates a client; nothing happens until ``connect()``.
    /// - Parameters:
    ///   - host: the server's host name or address.
    ///   - port: its TCP port (indiserver's default is 7624).
    ///   - connectTimeout: the deadline for a TCP connection.
    ///   - deviceTimeout: the deadline for a device's properties to appear and for it to connect.
    ///   - logger: where device commands and state changes go (`debug`), and reconnects (`warning`).
    public init(
        host: String, port: Int = 7624, connectTimeout: Duration = .seconds(5), deviceTimeout: Duration = .seconds(15),
        logger: Logger = Logger(label: "starling.indi", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.host = host
        self.port = port
        self.connectTimeout = connectTimeout
        self.deviceTimeout = deviceTimeout
        var logger = logger
        logger[metadataKey: "indi.server"] = "\(host):\(port)"
        self.logger = logger
    }

    /// Creates a client for a telescope's INDI configuration.
    public init(configuration: INDIConfiguration, logger: Logger = Logger(label: "starling.indi", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.init(host: configuration.host, port: configuration.port, logger: logger)
    }

    deinit {
        reconnectTask?.cancel()
        connection?.close()
    }

    /// Whether a TCP connection to the server is open now.
    public var isConnected: Bool { connection != nil }

    // MARK: Connection

    /// Connects to the server and asks for every property (idempotent); from now on the
    /// client reconnects by itself when the connection drops.
    /// - Parameter kind: the device that needs the connection, named in the error (the agent
    ///   files a fault under the device an error names).
    /// - Throws: ``DriverError`` `.disconnected` or `.timeout` when the server cannot be reached.
    public func connect(for kind: DeviceKind) async throws(DriverError) {
        wantsConnection = true
        try ensureConnected(kind)
    }

    /// Closes the connection and stops reconnecting; pending waits fail with `.disconnected`.
    public func disconnect() {
        wantsConnection = false
        reconnectTask?.cancel()
        reconnectTask = nil
        if let connection {
            connection.close()
            self.connection = nil
            connectionNumber += 1
            lastDisconnectReason = "closed by the client"
        }
        failWaiters { waiter in
            DriverError(.disconnected, device: waiter.kind, "\(waiter.device): the INDI client was disconnected while waiting for \(waiter.what)")
        }
        properties.removeAll()
    }

    /// Drops the TCP connection as if the network failed (the client then reconnects by
    /// itself). For tests of recovery and for operators who want a fresh session.
    public func dropConnection() {
        connection?.close()
    }

    private func ensureConnected(_ kind: DeviceKind) throws(DriverError) {
        guard connection == nil else { return }
        let newConnection: INDIConnection
        do {
            newConnection = try INDIConnection(host: host, port: port, timeout: connectTimeout)
        } catch {
            throw DriverError(error.code, device: kind, error.message)
        }
        connection = newConnection
        connectionNumber += 1
        connectionCount += 1
        let number = connectionNumber
        reconnectTask?.cancel()
        reconnectTask = nil
        properties.removeAll()
        logger.debug("Connected to the INDI server", metadata: ["indi.connection": "\(connectionCount)"])
        Task { [weak self] in
            for await event in newConnection.events {
                guard let self else { return }
                await self.handle(event, connection: number)
            }
        }
        try newConnection.send("<getProperties version=\"1.7\"/>\n")
        for (key, mode) in blobModes {
            try newConnection.send(Self.enableBLOBCommand(mode, device: key.device, property: key.property.isEmpty ? nil : key.property))
        }
    }

    private func scheduleReconnect() {
        guard wantsConnection, reconnectTask == nil else { return }
        reconnectTask = Task { [weak self] in
            var delay = 0.25
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(delay))
                guard let self, !Task.isCancelled else { return }
                if await self.attemptReconnect() { return }
                delay = min(delay * 2, 5)
            }
        }
    }

    private func attemptReconnect() -> Bool {
        guard wantsConnection else { return true }
        guard connection == nil else { return true }
        do {
            try ensureConnected(.mount)  // the kind only names the device in an error, which is logged here
            logger.warning("Reconnected to the INDI server", metadata: ["indi.connection": "\(connectionCount)"])
            return true
        } catch {
            logger.debug("INDI reconnect failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    // MARK: Incoming

    private func handle(_ event: INDIConnectionEvent, connection number: Int) {
        guard number == connectionNumber else { return }
        switch event {
        case .elements(let elements):
            for element in elements {
                do {
                    if let decoded = try INDIEvent(element) { apply(decoded) }
                } catch {
                    logger.warning("Ignoring an INDI element that cannot be decoded", metadata: ["error": "\(error.message)"])
                }
            }
        case .closed(let reason):
            connection = nil
            connectionNumber += 1
            lastDisconnectReason = reason
            logger.warning("Lost the connection to the INDI server", metadata: ["reason": "\(reason)"])
            failWaiters { waiter in
                DriverError(
                    .disconnected, device: waiter.kind,
                    "\(waiter.device): lost the connection to INDI server \(self.host):\(self.port) (\(reason)) while waiting for \(waiter.what)")
            }
            properties.removeAll()
            scheduleReconnect()
        }
    }

    /// Applies one decoded event to the property cache and the waits (public so a recorded
    /// stream can be replayed into a client without a server).
    public func apply(_ event: INDIEvent) {
        switch event {
        case .define(let vector):
            generation += 1
            properties[Key(device: vector.device, property: vector.name)] = Entry(vector: vector, generation: generation)
            notify(vector, generation: generation)
        case .update(let update):
            generation += 1
            let key = Key(device: update.device, property: update.name)
            let merged = properties[key].map { $0.vector.updated(by: update) } ?? update
            properties[key] = Entry(vector: merged, generation: generation)
            if let message = update.message { remember(INDIMessage(device: update.device, text: message, timestamp: update.timestamp)) }
            notify(merged, generation: generation)
        case .delete(let device, let property, let message):
            if let property {
                properties[Key(device: device, property: property)] = nil
            } else {
                properties = properties.filter { $0.key.device != device }
            }
            let what = property.map { "property \(device).\($0)" } ?? "every property of \(device)"
            logger.debug("INDI server deleted properties", metadata: ["indi.device": "\(device)", "indi.property": "\(property ?? "*")"])
            failWaiters(
                where: { $0.device == device && (property == nil || $0.properties.contains(property!)) },
                { waiter in
                    DriverError(
                        .deviceFault, device: waiter.kind,
                        "\(device): the INDI server deleted \(what) while waiting for \(waiter.what): its driver stopped or restarted"
                            + (message.map { " (\($0))" } ?? ""))
                })
        case .message(let message):
            remember(message)
        }
    }

    private func remember(_ message: INDIMessage) {
        let device = message.device ?? ""
        var list = recentMessages[device, default: []]
        list.append(message)
        if list.count > 50 { list.removeFirst(list.count - 50) }
        recentMessages[device] = list
        logger.debug("INDI message", metadata: ["indi.device": "\(device)", "indi.message": "\(message.text)"])
    }

    private func notify(_ vector: INDIVector, generation: Int) {
        for (id, waiter) in waiters where waiter.device == vector.device && waiter.properties.contains(vector.name) {
            if waiter.failOnAlert, vector.state == .alert {
                let detail = vector.message ?? lastMessage(for: vector.device) ?? "no message"
                finish(
                    id,
                    .failure(
                        DriverError(
                            .deviceFault, device: waiter.kind,
                            "\(vector.device).\(vector.name) went Alert while waiting for \(waiter.what): \(detail)")))
            } else if generation > waiter.after, waiter.predicate(vector) {
                finish(id, .success(vector))
            }
        }
    }

    // MARK: Reading

    /// A property as last defined and updated, or `nil` if the device has not defined it.
    public func property(_ name: String, of device: String) -> INDIVector? {
        properties[Key(device: device, property: name)]?.vector
    }

    /// Every property a device has defined, by name.
    public func properties(of device: String) -> [String: INDIVector] {
        var result: [String: INDIVector] = [:]
        for (key, entry) in properties where key.device == device { result[key.property] = entry.vector }
        return result
    }

    /// The devices that have defined at least one property.
    public var devices: Set<String> { Set(properties.keys.map(\.device)) }

    /// A counter that grows with every definition or update; pass it to ``waitFor(_:device:properties:timeout:what:failOnAlert:after:until:)``
    /// to wait only for what arrives after now.
    public var currentGeneration: Int { generation }

    /// The device's recent messages, oldest first (at most 50).
    public func messages(for device: String) -> [INDIMessage] { recentMessages[device] ?? [] }

    /// The device's last message text, if any.
    public func lastMessage(for device: String) -> String? { recentMessages[device]?.last?.text }

    // MARK: Waiting

    /// Waits until a property of a device satisfies a condition.
    ///
    /// - Parameters:
    ///   - kind: the device kind, for errors.
    ///   - device: the INDI device name.
    ///   - properties: the properties whose definitions and updates are checked.
    ///   - timeout: the deadline.
    ///   - what: what is awaited, for errors ("the slew to finish").
    ///   - failOnAlert: whether one of the properties going `Alert` fails the wait.
    ///   - after: only definitions and updates newer than this ``currentGeneration`` count;
    ///     `nil` also accepts what the client holds already.
    ///   - predicate: the condition on the property's full current state.
    /// - Returns: the property that satisfied the condition.
    /// - Throws: ``DriverError`` `.timeout`, `.deviceFault` (Alert, driver gone), `.disconnected`,
    ///   `.aborted` (the task was cancelled, or ``abortWaits(device:properties:reason:)``).
    public func waitFor(
        _ kind: DeviceKind, device: String, properties names: Set<String>, timeout: Duration, what: String,
        failOnAlert: Bool = true, after: Int? = nil, until predicate: @escaping @Sendable (INDIVector) -> Bool
    ) async throws(DriverError) -> INDIVector {
        if after == nil {
            for name in names.sorted() {
                if let entry = properties[Key(device: device, property: name)], predicate(entry.vector) { return entry.vector }
            }
        }
        try ensureConnected(kind)
        let id = nextWaiterID
        nextWaiterID += 1
        let threshold = after ?? -1
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<INDIVector, DriverError>, Never>) in
                let timeoutTask = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    guard !Task.isCancelled else { return }
                    await self?.expire(id, after: timeout)
                }
                waiters[id] = Waiter(
                    device: device, properties: names, kind: kind, what: what, failOnAlert: failOnAlert, after: threshold,
                    predicate: predicate, continuation: continuation, timeoutTask: timeoutTask)
            }
        } onCancel: {
            Task { await self.cancelWait(id) }
        }
        return try result.get()
    }

    /// Whether some task waits on one of these properties of a device now.
    public func isWaiting(device: String, properties names: Set<String>) -> Bool {
        waiters.values.contains { $0.device == device && !$0.properties.isDisjoint(with: names) }
    }

    /// Fails the waits on some properties of a device with `.aborted` (e.g. after an abort command).
    public func abortWaits(device: String, properties names: Set<String>, reason: String) {
        failWaiters(where: { $0.device == device && !$0.properties.isDisjoint(with: names) }) { waiter in
            DriverError(.aborted, device: waiter.kind, "\(device): \(reason) while waiting for \(waiter.what)")
        }
    }

    private func expire(_ id: Int, after timeout: Duration) {
        guard let waiter = waiters[id] else { return }
        let states = waiter.properties.sorted().map { name in
            properties[Key(device: waiter.device, property: name)].map { "\(name) is \($0.vector.state.rawValue)" } ?? "\(name) is not defined"
        }
        let message = lastMessage(for: waiter.device).map { "; last message: \($0)" } ?? ""
        finish(
            id,
            .failure(
                DriverError(
                    .timeout, device: waiter.kind,
                    "\(waiter.device): no \(waiter.what) within \(timeout) (\(states.joined(separator: ", ")))\(message)")))
    }

    private func cancelWait(_ id: Int) {
        guard let waiter = waiters[id] else { return }
        finish(id, .failure(DriverError(.aborted, device: waiter.kind, "\(waiter.device): cancelled while waiting for \(waiter.what)")))
    }

    private func finish(_ id: Int, _ result: Result<INDIVector, DriverError>) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        waiter.timeoutTask.cancel()
        waiter.continuation.resume(returning: result)
    }

    private func failWaiters(where condition: (Waiter) -> Bool = { _ in true }, _ error: (Waiter) -> DriverError) {
        for (id, waiter) in waiters where condition(waiter) { finish(id, .failure(error(waiter))) }
    }

    // MARK: Commands

    /// Sends numbers to a property and waits for the device's answer: the first state of the
    /// property, after the command, for which `done` holds (see ``waitFor(_:device:properties:timeout:what:failOnAlert:after:until:)``).
    @discardableResult
    public func command(
        numbers values: [(String, Double)], to property: String, of device: String, kind: DeviceKind, timeout: Duration, what: String,
        until done: @escaping @Sendable (INDIVector) -> Bool
    ) async throws(DriverError) -> INDIVector {
        let before = generation
        try send(numbers: values, to: property, of: device, kind: kind)
        return try await waitFor(kind, device: device, properties: [property], timeout: timeout, what: what, after: before, until: done)
    }

    /// Sends switches to a property and waits for the device's answer, as ``command(numbers:to:of:kind:timeout:what:until:)``.
    @discardableResult
    public func command(
        switches values: [(String, Bool)], to property: String, of device: String, kind: DeviceKind, timeout: Duration, what: String,
        until done: @escaping @Sendable (INDIVector) -> Bool
    ) async throws(DriverError) -> INDIVector {
        let before = generation
        try send(switches: values, to: property, of: device, kind: kind)
        return try await waitFor(kind, device: device, properties: [property], timeout: timeout, what: what, after: before, until: done)
    }

    /// Sends new values for number elements (`newNumberVector`).
    /// - Throws: ``DriverError`` `.refused` when the device lacks the property or an element, the
    ///   property is read-only, or a value is outside the limits the device declared;
    ///   `.disconnected` when the server cannot be reached.
    public func send(numbers values: [(String, Double)], to property: String, of device: String, kind: DeviceKind) throws(DriverError) {
        let vector = try writable(property, of: device, kind: kind, kindExpected: .number, elements: values.map(\.0))
        for (name, value) in values {
            guard value.isFinite else { throw DriverError(.refused, device: kind, "\(device).\(property).\(name) = \(value) is not a number") }
            if let element = vector.element(name), let minimum = element.minimum, let maximum = element.maximum, maximum > minimum,
                !(minimum...maximum).contains(value)
            {
                throw DriverError(.refused, device: kind, "\(device).\(property).\(name) = \(value) is outside \(minimum)...\(maximum)")
            }
        }
        let body = values.map { "<oneNumber name=\"\($0.0.xmlEscaped())\">\($0.1)</oneNumber>" }.joined()
        try write(kind, "<newNumberVector device=\"\(device.xmlEscaped())\" name=\"\(property.xmlEscaped())\">\(body)</newNumberVector>\n")
        logger.debug("INDI command", metadata: ["indi.device": "\(device)", "indi.property": "\(property)", "indi.values": "\(values)"])
    }

    /// Sends switch states (`newSwitchVector`); name only the switches to turn On for a
    /// `OneOfMany` property (the device turns the others off).
    public func send(switches values: [(String, Bool)], to property: String, of device: String, kind: DeviceKind) throws(DriverError) {
        _ = try writable(property, of: device, kind: kind, kindExpected: .switch, elements: values.map(\.0))
        let body = values.map { "<oneSwitch name=\"\($0.0.xmlEscaped())\">\($0.1 ? "On" : "Off")</oneSwitch>" }.joined()
        try write(kind, "<newSwitchVector device=\"\(device.xmlEscaped())\" name=\"\(property.xmlEscaped())\">\(body)</newSwitchVector>\n")
        logger.debug("INDI command", metadata: ["indi.device": "\(device)", "indi.property": "\(property)", "indi.values": "\(values)"])
    }

    /// Sends new texts (`newTextVector`).
    public func send(texts values: [(String, String)], to property: String, of device: String, kind: DeviceKind) throws(DriverError) {
        _ = try writable(property, of: device, kind: kind, kindExpected: .text, elements: values.map(\.0))
        let body = values.map { "<oneText name=\"\($0.0.xmlEscaped())\">\($0.1.xmlEscaped())</oneText>" }.joined()
        try write(kind, "<newTextVector device=\"\(device.xmlEscaped())\" name=\"\(property.xmlEscaped())\">\(body)</newTextVector>\n")
    }

    /// Asks the server to send (or stop sending) a device's BLOBs to this client; remembered
    /// and sent again after a reconnect.
    public func enableBLOB(_ mode: BLOBMode, device: String, property: String? = nil, kind: DeviceKind = .camera) throws(DriverError) {
        blobModes[Key(device: device, property: property ?? "")] = mode
        try write(kind, Self.enableBLOBCommand(mode, device: device, property: property))
    }

    /// Makes sure the server holds a device and that it is connected (`CONNECTION` →
    /// `CONNECT`), waiting for its properties if it has just started.
    /// - Throws: ``DriverError`` `.timeout` naming the devices the server does have when the
    ///   device never appears; `.deviceFault` when connecting fails.
    public func connectDevice(_ device: String, kind: DeviceKind) async throws(DriverError) {
        try ensureConnected(kind)
        let current: INDIVector
        do {
            current = try await waitFor(
                kind, device: device, properties: ["CONNECTION"], timeout: deviceTimeout, what: "its CONNECTION property",
                failOnAlert: false, until: { _ in true })
        } catch where error.code == .timeout {
            let known = devices.sorted().joined(separator: ", ")
            throw DriverError(
                .timeout, device: kind,
                "INDI server \(host):\(port) has no device '\(device)' after \(deviceTimeout) (devices: \(known.isEmpty ? "none" : known)): is its driver running?")
        }
        if current.isOn("CONNECT") == true, current.state != .alert { return }
        let before = generation
        try send(switches: [("CONNECT", true)], to: "CONNECTION", of: device, kind: kind)
        _ = try await waitFor(
            kind, device: device, properties: ["CONNECTION"], timeout: deviceTimeout, what: "CONNECTION to take CONNECT",
            after: before, until: { $0.isOn("CONNECT") == true && $0.state == .ok })
        logger.debug("INDI device connected", metadata: ["indi.device": "\(device)"])
    }

    /// Waits until a device has defined a property (after connecting, drivers define their
    /// main properties a moment later) and returns it.
    public func require(_ property: String, of device: String, kind: DeviceKind) async throws(DriverError) -> INDIVector {
        if let vector = self.property(property, of: device) { return vector }
        do {
            return try await waitFor(
                kind, device: device, properties: [property], timeout: deviceTimeout, what: "property \(property) to be defined",
                failOnAlert: false, until: { _ in true })
        } catch where error.code == .timeout {
            let known = properties(of: device).keys.sorted().joined(separator: ", ")
            throw DriverError(
                .refused, device: kind,
                "\(device) does not define \(property) (it has: \(known.isEmpty ? "nothing: is it connected?" : known))")
        }
    }

    private func writable(
        _ property: String, of device: String, kind: DeviceKind, kindExpected: INDIPropertyKind, elements: [String]
    ) throws(DriverError) -> INDIVector {
        try ensureConnected(kind)
        guard let vector = self.property(property, of: device) else {
            throw DriverError(.refused, device: kind, "\(device) has no property \(property) (not connected, or not this kind of device)")
        }
        guard vector.kind == kindExpected else {
            throw DriverError(.refused, device: kind, "\(device).\(property) is a \(vector.kind.rawValue) vector, not \(kindExpected.rawValue)")
        }
        if vector.permission == "ro" {
            throw DriverError(.refused, device: kind, "\(device).\(property) is read-only")
        }
        for name in elements where vector.element(name) == nil {
            throw DriverError(
                .refused, device: kind,
                "\(device).\(property) has no element \(name) (it has \(vector.elements.map(\.name).joined(separator: ", ")))")
        }
        return vector
    }

    private func write(_ kind: DeviceKind, _ text: String) throws(DriverError) {
        try ensureConnected(kind)
        do {
            try connection?.send(text)
        } catch {
            connection?.close()
            throw DriverError(.disconnected, device: kind, error.message)
        }
    }

    private static func enableBLOBCommand(_ mode: BLOBMode, device: String, property: String?) -> String {
        let name = property.map { " name=\"\($0.xmlEscaped())\"" } ?? ""
        return "<enableBLOB device=\"\(device.xmlEscaped())\"\(name)>\(mode.rawValue)</enableBLOB>\n"
    }
}
