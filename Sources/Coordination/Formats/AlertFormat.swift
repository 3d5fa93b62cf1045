/// The notice formats Starling reads, as recorded in ``Persistence/AlertRecord/format``.
public enum AlertFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// IVOA VOEvent 2.0 XML (GCN, LVK, SVOM, Gaia, 4PiSky).
    case voevent20 = "voevent-2.0"
    /// IVOA VOEvent 1.1 XML, still sent for some GCN notice types (AMON, old Fermi).
    case voevent11 = "voevent-1.1"
    /// A VOEvent converted element by element to JSON (`Who`, `What`, `WhereWhen`, with
    /// attributes as keys and element text as `#text`), as brokers such as GOTO's archive keep them.
    case voeventJSON = "voevent-json"
    /// GCN Kafka JSON notices: the unified schema (`ra`, `dec`, `ra_dec_error`,
    /// `trigger_time`, …) and its mission schemas (nasa-gcn/gcn-schema).
    case gcnJSON = "gcn-kafka-json"
    /// IGWN (LIGO/Virgo/KAGRA) gravitational-wave alerts in JSON (`superevent_id`, `alert_type`, `event.skymap`).
    case igwnJSON = "igwn-json"
    /// Optical-survey broker alerts (ZTF, LSST/Rubin, ANTARES) in JSON.
    case brokerJSON = "broker-json"
    /// A target of opportunity typed by an operator.
    case manual
    /// An observer's request from the request API (``ObservationRequestNotice``).
    case observationRequest = "observation-request"
    /// Not recognised (only for refused notices).
    case unknown
}
