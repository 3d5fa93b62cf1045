public import StarlingCore

/// A night plan as a KStars/Ekos scheduler list (`.esl`): one job per planned observation,
/// started at its planned time.
///
/// Written as KStars' own reader takes it (KDE/kstars, `kstars/ekos/scheduler/schedulerutils.cpp`
/// `SchedulerUtils::createJob`; the element order is the one `SchedulerProcess::saveScheduler`
/// writes): a root `<SchedulerList version='1.6'>` and, per job, `Name`, `Group` (the
/// telescope id), `Coordinates` with `J2000RA` in **decimal hours** and `J2000DE` in
/// **decimal degrees** (J2000; ICRS to well within a mount's pointing), `PositionAngle`
/// (0: no rotation asked), `Sequence` (the path of the job's `.esq`), a `StartupCondition`
/// `At` the slot's start, as ISO 8601 UTC with `Z` (Qt's `Qt::ISODate` reads the `Z` as
/// UTC), `Constraints` from the request (`MinimumAltitude` and `MoonSeparation` in degrees,
/// `EnforceTwilight`, `EnforceWeather`), a `CompletionCondition` `Sequence` (done when the
/// sequence is), and `Steps` `Track` and `Align` (slew, then plate-solve onto the target;
/// focus and guiding are left to the observatory's Ekos profile).
///
/// KStars reads numbers in the C locale: decimal points, no grouping.
public struct EkosSchedulerList: NightPlanExporter {
    public static let fileExtension = "esl"

    /// The format version written (the one `saveScheduler` writes for these elements).
    public static let formatVersion = "1.6"

    /// Where each observation's sequence file is, by its place in the plan (0-based) and
    /// the observation; Ekos opens it from this path, so it should be absolute.
    public let sequencePath: @Sendable (_ index: Int, _ entry: PlannedObservation) -> String

    public init(sequencePath: @escaping @Sendable (_ index: Int, _ entry: PlannedObservation) -> String) {
        self.sequencePath = sequencePath
    }

    /// Sequence files in one folder, named by their place in the plan and their target:
    /// `<folder>/01-ngc253.esq`.
    public init(sequenceFolder: String) {
        self.init { index, entry in "\(sequenceFolder)/\(EkosSchedulerList.sequenceFileName(index: index, entry: entry))" }
    }

    /// The file name of one observation's sequence: its place in the plan (1-based, two
    /// digits at least) and its target id with anything but letters, digits, `-` and `_`
    /// made `-`.
    public static func sequenceFileName(index: Int, entry: PlannedObservation) -> String {
        let place = index + 1 < 10 ? "0\(index + 1)" : "\(index + 1)"
        let safe = String(entry.request.target.id.rawValue.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" })
        return "\(place)-\(safe).\(EkosSequenceQueue.fileExtension)"
    }

    public func export(_ plan: NightPlan, at site: Site) -> String {
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<SchedulerList version='\(Self.formatVersion)'>"]
        for (index, entry) in plan.entries.enumerated() {
            let request = entry.request
            let coordinates = request.target.coordinates
            let constraints = request.constraints
            lines += [
                "<Job>",
                "<Name>\(request.target.name.xmlEscaped())</Name>",
                "<Group>\(plan.telescopeID.rawValue.xmlEscaped())</Group>",
                "<Coordinates>",
                "<J2000RA>\(formatFixed(coordinates.rightAscension.hours, decimals: 7))</J2000RA>",
                "<J2000DE>\(formatFixed(coordinates.declination.degrees, decimals: 6))</J2000DE>",
                "</Coordinates>",
                "<PositionAngle>0</PositionAngle>",
                "<Sequence>\(sequencePath(index, entry).xmlEscaped())</Sequence>",
                "<StartupCondition>",
                "<Condition value='\(ISO8601.string(from: entry.start, fractionalSeconds: false))'>At</Condition>",
                "</StartupCondition>",
                "<Constraints>",
                "<Constraint value='\(formatFixed(constraints.minimumAltitude.degrees, decimals: 2))'>MinimumAltitude</Constraint>",
                "<Constraint value='\(formatFixed(constraints.minimumMoonSeparation.degrees, decimals: 2))'>MoonSeparation</Constraint>",
                "<Constraint>EnforceWeather</Constraint>",
                "<Constraint>EnforceTwilight</Constraint>",
                "</Constraints>",
                "<CompletionCondition>",
                "<Condition>Sequence</Condition>",
                "</CompletionCondition>",
                "<Steps>",
                "<Step>Track</Step>",
                "<Step>Align</Step>",
                "</Steps>",
                "</Job>",
            ]
        }
        lines.append("</SchedulerList>")
        return lines.joined(separator: "\n") + "\n"
    }
}
