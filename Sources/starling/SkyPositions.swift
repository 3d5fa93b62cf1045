import ArgumentParser
import Foundation
import Sky
import StarlingCore

extension Starling.Sky {
    struct SkyPositions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "positions",
            abstract: "Batch positions: one row per (site, instant, target) from a CSV file.",
            discussion: """
                Input columns: lat_deg,lon_deg,height_m,utc,ra_deg,dec_deg (utc in ISO 8601). Output on \
                standard output: the input columns plus alt_deg,az_deg,airmass,hour_angle_deg,sun_alt_deg,\
                moon_alt_deg,moon_sep_deg,moon_illumination. Altitudes are apparent and topocentric; with \
                --refraction they include refraction for the standard atmosphere at the row's height, 10 °C, \
                50% humidity, 0.55 µm. UT1 − UTC is taken as 0 (up to 13.5″ in azimuth). A bad row is \
                reported with its line number on standard error and the exit status is 1; good rows are \
                still written. With --json: {"rows": [{column: value}], "errors": [{"line", "message"}]}, \
                numbers as numbers.
                """)

        @OptionGroup var options: GlobalOptions

        @Option(help: ArgumentHelp("The input CSV.", valueName: "CASES.csv"))
        var input: String

        @Flag(help: "Include atmospheric refraction.")
        var refraction = false

        static let inputColumns = ["lat_deg", "lon_deg", "height_m", "utc", "ra_deg", "dec_deg"]
        static let outputColumns = ["alt_deg", "az_deg", "airmass", "hour_angle_deg", "sun_alt_deg", "moon_alt_deg", "moon_sep_deg", "moon_illumination"]

        func run() async throws {
            let table: CSVTable
            do {
                table = try CSVTable(text: try String(contentsOfFile: input, encoding: .utf8), file: input)
                try table.requireColumns(Self.inputColumns)
            } catch let errors as ConfigErrors {
                for error in errors.errors { printError(error.description) }
                throw ExitCode(1)
            } catch {
                printError("\(input): cannot be read: \(error.localizedDescription)")
                throw ExitCode(1)
            }
            if !options.json { print((table.columns + Self.outputColumns).joined(separator: ",")) }
            var rows: [[String: PositionsDocument.Value]] = []
            var failures: [PositionsDocument.Failure] = []
            for row in table.rows {
                do {
                    let values = try Self.compute(row, refraction: refraction)
                    let fields = table.columns.map { row.values[$0] ?? "" } + values
                    if options.json {
                        rows.append(Dictionary(uniqueKeysWithValues: zip(table.columns + Self.outputColumns, fields.map(PositionsDocument.Value.init))))
                    } else {
                        print(fields.joined(separator: ","))
                    }
                } catch let error as RowError {
                    printError("\(input):\(row.line): \(error.message)")
                    failures.append(PositionsDocument.Failure(line: row.line, message: error.message))
                }
            }
            if options.json { try printJSON(PositionsDocument(rows: rows, errors: failures)) }
            if !failures.isEmpty { throw ExitCode(1) }
        }

        struct RowError: Error { let message: String }

        static func compute(_ row: CSVTable.Row, refraction: Bool) throws -> [String] {
            func number(_ column: String, _ range: ClosedRange<Double>) throws -> Double {
                guard let text = row[column] else { throw RowError(message: "\(column) is empty") }
                guard let value = Double(text), value.isFinite else { throw RowError(message: "\(column) '\(text)' is not a number") }
                guard range.contains(value) else { throw RowError(message: "\(column) \(text) is outside \(range.lowerBound)...\(range.upperBound)") }
                return value
            }
            let latitude = try number("lat_deg", -90...90), longitude = try number("lon_deg", -180...360)
            let height = try number("height_m", GeodeticLocation.plausibleElevationMeters)
            let ra = try number("ra_deg", 0...360), dec = try number("dec_deg", -90...90)
            guard let utcText = row["utc"], let date = ISO8601.date(from: utcText) else {
                throw RowError(message: "utc '\(row["utc"] ?? "")' is not an ISO 8601 time such as 2026-11-23T21:30:00Z")
            }
            let location: GeodeticLocation
            do {
                location = try GeodeticLocation(latitude: .degrees(latitude), longitude: .degrees(longitude), elevationMeters: height)
            } catch { throw RowError(message: error.description) }
            let atmosphere = refraction
                ? Atmosphere(pressureHectopascals: SiteClimate.pressureHectopascals(atElevationMeters: height), temperatureCelsius: 10, relativeHumidity: 0.5)
                : Atmosphere.none
            let target = try EquatorialCoordinates(rightAscensionDegrees: ra, declinationDegrees: dec)
            let frame: ObservingFrame
            do {
                frame = try Observer(location: location, atmosphere: atmosphere).frame(at: date)
            } catch { throw RowError(message: error.description) }
            let position = frame.horizontal(of: target)
            let geometricAltitude = refraction ? try Observer(location: location).frame(at: date).horizontal(of: target).altitude.degrees : position.altitude.degrees
            let airmass = Airmass.secantZenith(altitudeDegrees: geometricAltitude)
            let moon = frame.moon
            func f(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }
            return [
                f(position.altitude.degrees, 6), f(position.azimuth.degrees, 6), airmass.isFinite ? f(airmass, 5) : "",
                f(frame.hourAngle(of: target).degrees, 6), f(frame.sun.horizontal.altitude.degrees, 6), f(moon.horizontal.altitude.degrees, 6),
                f(frame.moonSeparation(from: target).degrees, 5), f(frame.moonIllumination, 5),
            ]
        }
    }
}

/// `starling sky positions --json`.
struct PositionsDocument: Encodable {
    /// A cell: a number when it reads as one, else text (`utc`), or `null` when empty.
    enum Value: Encodable {
        case number(Double), text(String), empty

        init(_ text: String) {
            if text.isEmpty { self = .empty } else if let number = Double(text), number.isFinite { self = .number(number) } else { self = .text(text) }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .number(let number): try container.encode(number)
            case .text(let text): try container.encode(text)
            case .empty: try container.encodeNil()
            }
        }
    }

    struct Failure: Encodable {
        let line: Int
        let message: String
    }

    let rows: [[String: Value]]
    let errors: [Failure]
}
