public import StarlingCore

/// A night plan as a spreadsheet: one row per exposure set of each planned observation.
///
/// Columns, units in their names: `telescope`, `site`, `night` (the local date the night
/// begins), `start_utc` and `end_utc` (ISO 8601 with `Z`, the slot including its slew and
/// filter change), `target_id`, `target_name`, `kind` (survey, follow-up, calibration),
/// `ra_deg` and `dec_deg` (ICRS, decimal degrees), `ra_hms` (hours) and `dec_dms`
/// (degrees, signed), `filter`, `exposure_s` (each exposure), `count`,
/// `altitude_start_deg`, `altitude_end_deg`, `airmass_max`, `merit`, `reason`.
///
/// RFC 4180: comma-separated, CRLF line ends, fields quoted when they need it, one header.
public struct PlanCSV: NightPlanExporter {
    public static let fileExtension = "csv"

    /// The header row, in column order.
    public static let columns = [
        "telescope", "site", "night", "start_utc", "end_utc", "target_id", "target_name", "kind", "ra_deg", "dec_deg",
        "ra_hms", "dec_dms", "filter", "exposure_s", "count", "altitude_start_deg", "altitude_end_deg", "airmass_max", "merit",
        "reason",
    ]

    public init() {}

    public func export(_ plan: NightPlan, at site: Site) -> String {
        var rows: [[String]] = []
        for entry in plan.entries {
            let target = entry.request.target
            let position = target.coordinates
            for exposure in entry.request.exposures {
                rows.append([
                    plan.telescopeID.rawValue, plan.siteID.rawValue, plan.night.description,
                    ISO8601.string(from: entry.start, fractionalSeconds: false), ISO8601.string(from: entry.end, fractionalSeconds: false),
                    target.id.rawValue, target.name, entry.request.kind.rawValue,
                    formatFixed(position.rightAscension.degrees, decimals: 6), formatFixed(position.declination.degrees, decimals: 6),
                    Sexagesimal.format(position.rightAscension, unit: .hours, secondsDecimals: 2),
                    Sexagesimal.format(position.declination, unit: .degrees, secondsDecimals: 1),
                    exposure.filter.name, formatFixed(exposure.exposureSeconds, decimals: 3), String(exposure.count),
                    formatFixed(entry.altitudeStart.degrees, decimals: 2), formatFixed(entry.altitudeEnd.degrees, decimals: 2),
                    formatFixed(entry.airmass, decimals: 3), formatFixed(entry.merit, decimals: 3), entry.reason,
                ])
            }
        }
        return CSVRecord.file(header: Self.columns, rows: rows)
    }
}
