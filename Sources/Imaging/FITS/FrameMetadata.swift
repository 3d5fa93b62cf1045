public import Foundation
public import StarlingCore

/// The observation facts a frame's header records, typed: when, how long, where the
/// telescope pointed, from which site, through which filter, with which camera settings.
///
/// Reading (``init(header:)``) copes with the variants real headers use:
/// - `DATE-OBS` as ISO 8601 with or without time (`1998-04-20`, then `TIME-OBS`/`UT` give the
///   time), or the pre-2000 `dd/mm/yy` form (always 19yy, FITS Standard 4.0 §9.1.1);
///   `MJD-OBS` when `DATE-OBS` is absent.
/// - `RA`/`DEC` as degrees (numbers, or strings holding one number) or sexagesimal strings
///   (`' 22:04:08'`: RA in hours, DEC in degrees), else `OBJCTRA`/`OBJCTDEC` (sexagesimal);
///   ``pointingSource`` says which keywords were used and how they were read.
/// - `SITELAT`/`SITELONG` (or `LAT-OBS`/`LONG-OBS`, `LATITUDE`/`LONGITUD`) as degrees or
///   sexagesimal strings; longitudes east-positive and normalised to −180…180° (`210.934` →
///   −149.066°), unless the card's comment says the value is west-positive.
/// - `EXPTIME`, else `EXPOSURE` (in minutes when its comment says so, as DSS headers do).
///
/// Writing (``cards``) uses one spelling of each keyword (see `docs/imaging.md`).
/// A value that is absent, or present but unreadable, is `nil`; ``problems`` says which
/// keywords were present but could not be read.
public struct FrameMetadata: Sendable, Hashable, Codable {
    /// Start of the exposure, UTC (`DATE-OBS`).
    public var observationStart: Date?
    /// Whether ``observationStart`` carries a time of day (false when the header gave only a date).
    public var observationStartHasTime: Bool
    /// Open-shutter time, seconds (`EXPTIME`).
    public var exposureSeconds: Double?
    /// `IMAGETYP` as written (`LIGHT`, `Light Frame`, `object`, …); see ``frameType``.
    public var imageType: String?
    /// `OBJECT`.
    public var object: String?
    /// `FILTER`.
    public var filter: String?
    /// Where the telescope pointed (`RA`/`DEC`, degrees, in the frame of `RADESYS`/`EQUINOX`).
    public var pointing: EquatorialCoordinates?
    /// Which keywords gave ``pointing`` and how they were read; for metadata made to be
    /// written, how ``cards`` writes it (`RA`/`DEC` in degrees), so a write–read round trip
    /// returns equal metadata; `nil` without a pointing.
    public var pointingSource: PointingSource?

    /// Where a frame's pointing came from in its header.
    public struct PointingSource: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The keyword pair, `RA/DEC` or `OBJCTRA/OBJCTDEC`.
        public let keywords: String
        /// How the values were read, e.g. `sexagesimal: RA in hours, DEC in degrees`.
        public let reading: String

        /// `RA/DEC (sexagesimal: RA in hours, DEC in degrees)`.
        public var description: String { "\(keywords) (\(reading))" }

        /// How Starling writes a pointing (``FrameMetadata/cards``).
        public static let written = PointingSource(keywords: "RA/DEC", reading: "RA in degrees, DEC in degrees")
    }
    /// `AIRMASS` (at mid-exposure where the writer followed the usual convention).
    public var airmass: Double?
    /// `TELESCOP`.
    public var telescope: String?
    /// `INSTRUME`.
    public var instrument: String?
    /// `OBSERVAT`.
    public var observatory: String?
    /// Site latitude (`SITELAT`), north positive.
    public var siteLatitude: Angle?
    /// Site longitude (`SITELONG`), east positive, −180…180°.
    public var siteLongitude: Angle?
    /// Site height above sea level, metres (`SITEELEV`).
    public var siteElevationMeters: Double?
    /// Conversion gain, e⁻/ADU (`GAIN`).
    public var gain: Double?
    /// Read noise, e⁻ RMS (`RDNOISE`).
    public var readNoise: Double?
    /// Detector temperature, °C (`CCD-TEMP`).
    public var ccdTemperatureCelsius: Double?
    /// The level at and above which pixels are saturated, ADU (`SATURATE`).
    public var saturationADU: Double?
    /// Photometric zero point: the magnitude of a source giving 1 ADU per second (`MAGZPT`).
    public var zeroPoint: Double?
    /// Starling's observation request (`STRQID`).
    public var requestID: RequestID?
    /// Starling's observation (`STOBSID`).
    public var observationID: ObservationID?
    /// Starling's frame (`STFRMID`).
    public var frameID: FrameID?
    /// Keywords present in the header but unreadable, with the reason, e.g.
    /// `DATE-OBS: '32/13/99' is not a date`. Empty when written by Starling.
    public var problems: [String]

    /// Creates metadata to write; every field is optional.
    public init(
        observationStart: Date? = nil, exposureSeconds: Double? = nil, imageType: String? = nil, object: String? = nil,
        filter: String? = nil, pointing: EquatorialCoordinates? = nil, airmass: Double? = nil, telescope: String? = nil,
        instrument: String? = nil, observatory: String? = nil, siteLatitude: Angle? = nil, siteLongitude: Angle? = nil,
        siteElevationMeters: Double? = nil, gain: Double? = nil, readNoise: Double? = nil, ccdTemperatureCelsius: Double? = nil,
        saturationADU: Double? = nil, zeroPoint: Double? = nil, requestID: RequestID? = nil,
        observationID: ObservationID? = nil, frameID: FrameID? = nil
    ) {
        self.observationStart = observationStart
        self.observationStartHasTime = observationStart != nil
        self.exposureSeconds = exposureSeconds
        self.imageType = imageType
        self.object = object
        self.filter = filter
        self.pointing = pointing
        self.pointingSource = pointing.map { _ in .written }
        self.airmass = airmass
        self.telescope = telescope
        self.instrument = instrument
        self.observatory = observatory
        self.siteLatitude = siteLatitude
        self.siteLongitude = siteLongitude.map { $0.normalizedSigned }
        self.siteElevationMeters = siteElevationMeters
        self.gain = gain
        self.readNoise = readNoise
        self.ccdTemperatureCelsius = ccdTemperatureCelsius
        self.saturationADU = saturationADU
        self.zeroPoint = zeroPoint
        self.requestID = requestID
        self.observationID = observationID
        self.frameID = frameID
        self.problems = []
    }

    /// The kind of frame, from `IMAGETYP` in its usual spellings (`LIGHT`, `Light Frame`,
    /// `object`, `science` → light; `dark`, `bias`/`zero`, `flat`/`Flat Field`); `nil` when
    /// absent or not recognised.
    public var frameType: FrameRecord.ImageType? {
        guard let text = imageType?.lowercased() else { return nil }
        if text.contains("light") || text.contains("object") || text.contains("science") { return .light }
        if text.contains("dark") { return .dark }
        if text.contains("bias") || text == "zero" { return .bias }
        if text.contains("flat") { return .flat }
        return nil
    }

    /// The site as a location, when latitude and longitude are known (elevation 0 when
    /// absent); `nil` also when the elevation is implausible (outside −500…6000 m, as a
    /// header in feet would give).
    public var site: GeodeticLocation? {
        guard let siteLatitude, let siteLongitude else { return nil }
        do {
            return try GeodeticLocation(latitude: siteLatitude, longitude: siteLongitude, elevationMeters: siteElevationMeters ?? 0)
        } catch {
            return nil
        }
    }
}

// MARK: Reading

extension FrameMetadata {
    /// Reads the observation facts from a header, leniently (see the type's documentation).
    public init(header: FITSHeader) {
        self.init()
        var problems: [String] = []
        (observationStart, observationStartHasTime) = Self.observationStart(in: header, problems: &problems)
        exposureSeconds = Self.exposure(in: header, problems: &problems)
        imageType = header.string("IMAGETYP")
        object = header.string("OBJECT")
        filter = header.string("FILTER")
        (pointing, pointingSource) = Self.pointing(in: header, problems: &problems)
        airmass = header.double("AIRMASS")
        telescope = header.string("TELESCOP")
        instrument = header.string("INSTRUME")
        observatory = header.string("OBSERVAT")
        for (latitudeKey, longitudeKey) in [("SITELAT", "SITELONG"), ("LAT-OBS", "LONG-OBS"), ("LATITUDE", "LONGITUD")]
        where siteLatitude == nil && header.contains(latitudeKey) {
            siteLatitude = Self.angle(latitudeKey, in: header, unit: .degrees, range: -90...90, problems: &problems)
            if let longitude = Self.angle(longitudeKey, in: header, unit: .degrees, range: -360...360, problems: &problems) {
                let comment = header.comment(longitudeKey)?.lowercased() ?? ""
                let westPositive = comment.contains("west") && !comment.contains("east")
                siteLongitude = (westPositive ? -longitude : longitude).normalizedSigned
            }
        }
        siteElevationMeters = header.double("SITEELEV") ?? header.double("ALT-OBS")
        gain = header.double("GAIN") ?? header.double("EGAIN")
        readNoise = header.double("RDNOISE") ?? header.double("READNOIS")
        ccdTemperatureCelsius = header.double("CCD-TEMP")
        saturationADU = header.double("SATURATE")
        if let level = saturationADU, !(level > 0 && level.isFinite) {
            // Some cameras write -1 or 0 for "unknown"; as a level it would mark every pixel saturated.
            problems.append("SATURATE: \(String(format: "%g", level)) is not a saturation level (must be positive); ignored")
            saturationADU = nil
        }
        zeroPoint = header.double("MAGZPT")
        requestID = header.string("STRQID").map { RequestID($0) }
        observationID = header.string("STOBSID").map { ObservationID($0) }
        frameID = header.string("STFRMID").map { FrameID($0) }
        self.problems = problems
    }

    /// `DATE-OBS` in its variants, with `TIME-OBS`/`UT`/`UTSTART` when it holds only a date.
    static func observationStart(in header: FITSHeader, problems: inout [String]) -> (Date?, Bool) {
        guard let text = header.string("DATE-OBS") else {
            if let mjd = header.double("MJD-OBS") {
                // MJD 40587 is 1970-01-01T00:00:00 UTC.
                return (Date(timeIntervalSince1970: (mjd - 40_587) * 86_400), true)
            }
            return (nil, false)
        }
        if text.contains("T"), let date = ISO8601.date(from: text) { return (date, true) }
        var day: (year: Int, month: Int, day: Int)?
        let isoParts = text.split(separator: "-")
        let oldParts = text.split(separator: "/")
        if isoParts.count == 3, let y = Int(isoParts[0]), let m = Int(isoParts[1]), let d = Int(isoParts[2]) {
            day = (y, m, d)
        } else if oldParts.count == 3, let d = Int(oldParts[0]), let m = Int(oldParts[1]), let y = Int(oldParts[2]), y < 100 {
            // The original FITS 'dd/mm/yy' form means 19yy (FITS Standard 4.0 §9.1.1).
            day = (1900 + y, m, d)
        }
        guard let day, (1...12).contains(day.month), (1...31).contains(day.day) else {
            problems.append("DATE-OBS: '\(text)' is not a date (expected YYYY-MM-DD[Thh:mm:ss] or dd/mm/yy)")
            return (nil, false)
        }
        var components = DateComponents()
        components.timeZone = TimeZone(identifier: "UTC")
        components.year = day.year
        components.month = day.month
        components.day = day.day
        var hasTime = false
        for key in ["TIME-OBS", "UT", "UTSTART", "UT-START"] {
            guard let time = header.string(key) else { continue }
            let fields = time.split(separator: ":")
            if fields.count >= 2, let h = Int(fields[0]), let m = Int(fields[1]), (0..<24).contains(h), (0..<60).contains(m) {
                let seconds = fields.count > 2 ? Double(fields[2]) ?? 0 : 0
                components.hour = h
                components.minute = m
                components.second = Int(seconds)
                components.nanosecond = Int(((seconds - seconds.rounded(.down)) * 1e9).rounded())
                hasTime = true
                break
            }
            problems.append("\(key): '\(time)' is not a time of day")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        guard let date = calendar.date(from: components), calendar.component(.day, from: date) == day.day else {
            problems.append("DATE-OBS: '\(text)' is not a calendar date")
            return (nil, false)
        }
        return (date, hasTime)
    }

    /// `EXPTIME`, else `EXPOSURE`; a negative or non-finite time is a problem, not a value
    /// (zero is kept: a bias frame's exposure).
    static func exposure(in header: FITSHeader, problems: inout [String]) -> Double? {
        let keyword: String
        let seconds: Double
        if let value = header.double("EXPTIME") {
            (keyword, seconds) = ("EXPTIME", value)
        } else if let value = header.double("EXPOSURE") {
            let comment = header.comment("EXPOSURE")?.lowercased() ?? ""
            (keyword, seconds) = ("EXPOSURE", comment.contains("minute") ? value * 60 : value)
        } else {
            return nil
        }
        guard seconds.isFinite, seconds >= 0 else {
            problems.append("\(keyword): \(String(format: "%g", seconds)) s is not an exposure time (must be 0 or more); ignored")
            return nil
        }
        return seconds
    }

    /// The pointing from `RA`/`DEC`, else `OBJCTRA`/`OBJCTDEC`, and which keywords gave it and
    /// how they were read.
    static func pointing(in header: FITSHeader, problems: inout [String]) -> (EquatorialCoordinates?, PointingSource?) {
        for (raKey, decKey) in [("RA", "DEC"), ("OBJCTRA", "OBJCTDEC")] where header.contains(raKey) && header.contains(decKey) {
            // A sexagesimal right ascension is in hours by convention, under either keyword;
            // a plain number is degrees (FITS convention for RA).
            var raForm: AngleForm = .degrees, decForm: AngleForm = .degrees
            guard let ra = angle(raKey, in: header, unit: .hours, range: -360...360, problems: &problems, form: &raForm),
                let dec = angle(decKey, in: header, unit: .degrees, range: -90...90, problems: &problems, form: &decForm)
            else { continue }
            do {
                let coordinates = try EquatorialCoordinates(rightAscension: ra, declination: dec)
                return (coordinates, PointingSource(keywords: "\(raKey)/\(decKey)", reading: describe(ra: raForm, dec: decForm)))
            } catch {
                problems.append("\(raKey)/\(decKey): \(error)")
            }
        }
        return (nil, nil)
    }

    /// How an angle card was written.
    enum AngleForm: Equatable {
        /// A number, or a string holding one number: degrees.
        case degrees
        /// Sexagesimal fields whose first counts hours.
        case sexagesimalHours
        /// Sexagesimal fields whose first counts degrees.
        case sexagesimalDegrees
    }

    private static func describe(ra: AngleForm, dec: AngleForm) -> String {
        func text(_ form: AngleForm) -> String {
            switch form {
            case .degrees: "degrees"
            case .sexagesimalHours: "hours"
            case .sexagesimalDegrees: "degrees"
            }
        }
        let sexagesimal = ra != .degrees || dec != .degrees
        return (sexagesimal ? "sexagesimal: " : "") + "RA in \(text(ra)), DEC in \(text(dec))"
    }

    /// An angle written as a number of degrees, or as a string: one number (degrees) or
    /// sexagesimal fields (the first in `unit`, hours for a right ascension).
    static func angle(
        _ keyword: String, in header: FITSHeader, unit: Sexagesimal.Unit, range: ClosedRange<Double>, problems: inout [String]
    ) -> Angle? {
        var form = AngleForm.degrees
        return angle(keyword, in: header, unit: unit, range: range, problems: &problems, form: &form)
    }

    static func angle(
        _ keyword: String, in header: FITSHeader, unit: Sexagesimal.Unit, range: ClosedRange<Double>, problems: inout [String],
        form: inout AngleForm
    ) -> Angle? {
        let angle: Angle?
        form = .degrees
        switch header[keyword] {
        case .real(let value): angle = .degrees(value)
        case .integer(let value): angle = .degrees(Double(value))
        case .string(let text):
            let fields = text.split(whereSeparator: { $0 == ":" || $0 == " " })
            if fields.count == 1, let degrees = FITSHeader.number(text) {
                angle = .degrees(degrees)
            } else {
                let parsed = Sexagesimal.parse(text, unit: fields.count == 1 ? .degrees : unit)
                angle = parsed
                // `Sexagesimal.parse` reads hours when asked to or when the text says `h`.
                let readAsHours = (unit == .hours && fields.count > 1) || text.contains("h") || text.contains("H")
                form = readAsHours ? .sexagesimalHours : .sexagesimalDegrees
            }
        default: angle = nil
        }
        guard let angle else {
            if let card = header.card(keyword) { problems.append("\(keyword): \(card.value?.description ?? "") is not an angle") }
            return nil
        }
        guard range.contains(angle.degrees) else {
            problems.append("\(keyword): \(formatFixed(angle.degrees, decimals: 4))° is outside \(Int(range.lowerBound))...\(Int(range.upperBound))")
            return nil
        }
        return angle
    }
}

// MARK: Writing

extension FrameMetadata {
    /// The header cards Starling writes for these facts, in a fixed order; absent facts are
    /// left out. Angles in decimal degrees (`RA`, `DEC`, `SITELAT`, `SITELONG`), times UTC.
    public var cards: [FITSCard] {
        var cards: [FITSCard] = []
        func add(_ keyword: String, _ value: FITSValue?, _ comment: String) {
            if let value { cards.append(FITSCard(keyword, value, comment: comment)) }
        }
        add("TIMESYS", observationStart.map { _ in .string("UTC") }, "time scale of DATE-OBS")
        add("DATE-OBS", observationStart.map { .string(Self.isoString($0)) }, "UTC start of exposure")
        add("EXPTIME", exposureSeconds.map(FITSValue.real), "[s] exposure time")
        add("IMAGETYP", imageType.map(FITSValue.string), "frame type")
        add("OBJECT", object.map(FITSValue.string), "target name")
        add("FILTER", filter.map(FITSValue.string), "filter name")
        add("RADESYS", pointing.map { _ in .string("ICRS") }, "frame of RA and DEC")
        add("RA", pointing.map { .real($0.rightAscension.degrees) }, "[deg] pointing right ascension")
        add("DEC", pointing.map { .real($0.declination.degrees) }, "[deg] pointing declination")
        add("AIRMASS", airmass.map(FITSValue.real), "airmass at mid-exposure")
        add("TELESCOP", telescope.map(FITSValue.string), "telescope")
        add("INSTRUME", instrument.map(FITSValue.string), "camera")
        add("OBSERVAT", observatory.map(FITSValue.string), "observatory (site id)")
        add("SITELAT", siteLatitude.map { .real($0.degrees) }, "[deg] site latitude, north positive")
        add("SITELONG", siteLongitude.map { .real($0.degrees) }, "[deg] site longitude, east positive")
        add("SITEELEV", siteElevationMeters.map(FITSValue.real), "[m] site elevation")
        add("GAIN", gain.map(FITSValue.real), "[e-/ADU] conversion gain")
        add("RDNOISE", readNoise.map(FITSValue.real), "[e-] read noise")
        add("CCD-TEMP", ccdTemperatureCelsius.map(FITSValue.real), "[degC] detector temperature")
        add("SATURATE", saturationADU.map(FITSValue.real), "[ADU] saturation level")
        add("MAGZPT", zeroPoint.map(FITSValue.real), "[mag] zero point for 1 ADU/s")
        add("STRQID", requestID.map { .string($0.rawValue) }, "Starling observation request id")
        add("STOBSID", observationID.map { .string($0.rawValue) }, "Starling observation id")
        add("STFRMID", frameID.map { .string($0.rawValue) }, "Starling frame id")
        return cards
    }

    /// `2026-11-23T02:14:29.014` (FITS dates carry no zone letter; TIMESYS says UTC).
    /// Rounded to the nearest millisecond (Foundation's formatter truncates, which would move
    /// a start time up to 1 ms earlier).
    static func isoString(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (milliseconds / 1000).rounded(.down)
        let fraction = Int(milliseconds - seconds * 1000)
        let whole = Date(timeIntervalSince1970: seconds)
        let text = ISO8601.string(from: whole, fractionalSeconds: false).dropLast()  // no 'Z'
        let digits = String(fraction)
        return "\(text).\(String(repeating: "0", count: 3 - digits.count))\(digits)"
    }
}
