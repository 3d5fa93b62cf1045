public import StarlingCore

/// A file format that carries a telescope's night plan into a tool outside Starling: a
/// spreadsheet, a calendar, an observatory's own scheduler.
///
/// Conformers are small values that hold only the choices a format leaves open (where
/// an Ekos scheduler list finds its sequence files, say); the plan and its site come in
/// with each call, so one exporter writes any number of plans.
///
/// Times are UTC throughout; each format's documentation says how it writes them, and
/// how it writes right ascension and declination (hours or degrees, decimal or
/// sexagesimal), because the tools disagree.
public protocol NightPlanExporter: Sendable {
    /// The file-name extension the receiving tool expects, without the dot.
    static var fileExtension: String { get }

    /// The plan as the text of one file in this format.
    ///
    /// - Parameters:
    ///   - plan: one telescope's plan for one night.
    ///   - site: the site the plan is for (its name, location and time zone).
    /// - Returns: the file's text; a plan without observations gives a valid file with no
    ///   entries (a header, an empty calendar, an empty list).
    func export(_ plan: NightPlan, at site: Site) -> String
}

/// The formats `starling plan --format` writes.
public enum PlanExportFormat: String, Sendable, Hashable, CaseIterable {
    /// A spreadsheet: one row per exposure set (``PlanCSV``).
    case csv
    /// A calendar for people: one event per observation (``PlanICalendar``).
    case ical
    /// N.I.N.A. Target Scheduler's target import file (``NINATargetSchedulerCSV``).
    case nina
    /// A KStars/Ekos scheduler list and one capture sequence per observation
    /// (``EkosSchedulerList``, ``EkosSequenceQueue``).
    case ekosESL = "ekos-esl"
    /// The night's exposures as one KStars/Ekos capture sequence (``EkosSequenceQueue``).
    case ekosESQ = "ekos-esq"

    /// The file-name extension of the main file this format writes, without the dot.
    public var fileExtension: String {
        switch self {
        case .csv: PlanCSV.fileExtension
        case .ical: PlanICalendar.fileExtension
        case .nina: NINATargetSchedulerCSV.fileExtension
        case .ekosESL: EkosSchedulerList.fileExtension
        case .ekosESQ: EkosSequenceQueue.fileExtension
        }
    }
}
