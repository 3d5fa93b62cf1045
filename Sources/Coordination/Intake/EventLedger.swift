import Foundation
import StarlingCore

/// The notices handed on per event, to tell a new notice from an update, a stale one or one
/// of a retracted event.
///
/// Notices are ordered by issue time (the event time when a notice states none), then by
/// serial: GCN's serials rise within one packet type only (a Fermi GBM final position has a
/// lower serial than the flight positions before it), while issue times rise across types.
struct EventLedger {
    struct Entry: Hashable {
        let id: AlertID
        let key: OrderKey
        let isRetraction: Bool

        init(_ alert: Alert) {
            id = alert.id
            key = OrderKey(alert)
            isRetraction = alert.isRetraction
        }
    }

    struct OrderKey: Hashable, Comparable {
        let issued: Double
        let serial: Int

        init(_ alert: Alert) {
            issued = (alert.issuedTime ?? alert.eventTime).timeIntervalSince1970
            serial = alert.serial
        }

        static func < (lhs: Self, rhs: Self) -> Bool {
            lhs.issued < rhs.issued || (lhs.issued == rhs.issued && lhs.serial < rhs.serial)
        }
    }

    enum Decision: Equatable {
        case handOn(AcceptedAlert.Change)
        case ignore(String)
    }

    private var events: [String: [Entry]] = [:]

    func isLoaded(_ eventID: String) -> Bool { events[eventID] != nil }

    mutating func load(_ eventID: String, entries: [Entry]) { events[eventID] = entries }

    mutating func forget() { events.removeAll() }

    mutating func record(_ alert: Alert) {
        let entry = Entry(alert)
        if events[alert.eventID]?.contains(where: { $0.id == alert.id }) == true { return }
        events[alert.eventID, default: []].append(entry)
    }

    /// Decides a new notice against the notices of its event handed on before, and those
    /// about to be (`pending`: earlier notices of the same batch, not yet stored).
    func decide(_ alert: Alert, policy: IntakePolicy, pending: [Entry] = []) -> Decision {
        if alert.role == .test, !policy.acceptsTestNotices {
            return .ignore("test notice (role test); set the intake policy's acceptsTestNotices to follow test notices")
        }
        if alert.role == .utility {
            return .ignore("utility notice (role utility): not about a transient")
        }
        let entries = ((events[alert.eventID] ?? []) + pending).filter { $0.id != alert.id }
        let latest = entries.max { $0.key < $1.key }
        if alert.isRetraction { return .handOn(.retraction(previous: latest?.id)) }
        if let retraction = entries.first(where: \.isRetraction) {
            return .ignore("event \(alert.eventID) was retracted by \(retraction.id)")
        }
        if let latest, OrderKey(alert) < latest.key {
            return .ignore("superseded: \(latest.id) is a newer notice of event \(alert.eventID)")
        }
        if let veto = alert.followUpVeto {
            // Handed on only to cancel what an earlier notice of the event started.
            if let latest { return .handOn(.update(previous: latest.id)) }
            return .ignore("not followed up: \(veto)")
        }
        if !alert.hasPosition {
            return .ignore("no position: recorded, not scheduled")
        }
        return .handOn(latest.map { .update(previous: $0.id) } ?? .new)
    }

    /// The change of a notice already handed on (for redelivery after a restart): its relation
    /// to the event's notices handed on before it.
    static func change(of alert: Alert, among earlier: [Entry]) -> AcceptedAlert.Change {
        let latest = earlier.filter { $0.id != alert.id }.max { $0.key < $1.key }
        if alert.isRetraction { return .retraction(previous: latest?.id) }
        return latest.map { .update(previous: $0.id) } ?? .new
    }
}
