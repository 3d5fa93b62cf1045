import Foundation
import StarlingCore

/// What a notice's own flags say about its position and its source, read the way each
/// instrument means them (the survey of flags per mission, with sources, is in
/// `docs/alerts.md`, "Flags read").
///
/// A flag that marks the position as not real or not trustworthy, or that classes the source
/// as something other than the transient the trigger implies, gives a ``veto``: the alert is
/// recorded with the reason and never scheduled. A source class that says the trigger is not
/// a gamma-ray burst also relabels the alert (``kind``), so nothing shows it as a burst.
struct InstrumentVerdict: Sendable, Hashable {
    /// Why the notice must not be followed up, when it must not.
    var veto: String?
    /// The kind the flags say the source is, when it is not the one the notice type implies.
    var kind: Alert.Kind?
    /// What the flags say without forbidding a follow-up.
    var remarks: [String] = []

    /// Records a veto; the first one given stands (flags are read most serious first).
    mutating func forbid(_ reason: String, kind: Alert.Kind? = nil) {
        if veto == nil { veto = reason }
        if let kind, self.kind == nil { self.kind = kind }
    }

    /// The alert with the verdict applied, and the remarks to show.
    func applied(to alert: Alert) -> Alert {
        guard let veto else { return alert }
        return alert.vetoed(veto, kind: kind)
    }
}

/// Reads the flags of GCN VOEvents and GCN Kafka JSON notices (see ``InstrumentVerdict``).
enum InstrumentFlags {
    // MARK: Source classes

    /// What a source class means for a follow-up.
    enum SourceClass: Equatable {
        /// The transient the trigger is about (a GRB).
        case burst
        /// An astrophysical transient of unknown class: followed, with a remark.
        case unknownTransient
        /// The instrument does not trust its own localisation.
        case untrustworthyPosition
        /// Not astrophysical: particles near the spacecraft or from the horizon, a terrestrial gamma-ray flash.
        case notAstrophysical
        /// A solar flare.
        case solarFlare
        /// A known (Galactic) source: a soft gamma repeater, an X-ray binary.
        case knownSource
    }

    /// Fermi GBM's `Most_Likely_Index` (GCN's Fermi GBM notice documentation,
    /// gcn.gsfc.nasa.gov/fermi_grbs.html): 0 error, 1 UNRELIABLE_LOCATION, 2 LOCAL_PARTICLES,
    /// 3 BELOW_HORIZON, 4 GRB, 5 GENERIC_SGR, 6 GENERIC_TRANSIENT, 7 DISTANT_PARTICLES,
    /// 8 SOLAR_FLARE, 9 CYG_X1, 10 SGR_1806_20, 11 GROJ_0422_32, 19 TGF.
    static let fermiGBMClasses: [Int: (name: String, meaning: SourceClass)] = [
        0: ("ERROR", .untrustworthyPosition), 1: ("UNRELIABLE_LOCATION", .untrustworthyPosition),
        2: ("LOCAL_PARTICLES", .notAstrophysical), 3: ("BELOW_HORIZON", .notAstrophysical), 4: ("GRB", .burst),
        5: ("GENERIC_SGR", .knownSource), 6: ("GENERIC_TRANSIENT", .unknownTransient), 7: ("DISTANT_PARTICLES", .notAstrophysical),
        8: ("SOLAR_FLARE", .solarFlare), 9: ("CYG_X1", .knownSource), 10: ("SGR_1806_20", .knownSource),
        11: ("GROJ_0422_32", .knownSource), 19: ("TGF", .notAstrophysical),
    ]

    /// A class named in a JSON `classification` (Fermi GBM's names above, BurstCube's `SF` and
    /// `Local Particles`), compared without case, blanks or underscores; `nil` for names of
    /// other vocabularies (LVK's `BNS`, …), which say nothing about a burst trigger.
    static func sourceClass(named name: String) -> SourceClass? {
        let key = name.uppercased().filter { $0.isLetter || $0.isNumber }
        switch key {
        case "GRB": return .burst
        case "GENERICTRANSIENT": return .unknownTransient
        case "ERROR", "UNRELIABLELOCATION": return .untrustworthyPosition
        case "LOCALPARTICLES", "PARTICLES", "BELOWHORIZON", "DISTANTPARTICLES", "TGF": return .notAstrophysical
        case "SOLARFLARE", "SF": return .solarFlare
        case "GENERICSGR", "SGR", "SGR180620", "CYGX1", "GROJ042232": return .knownSource
        default: return nil
        }
    }

    /// The verdict of a source class the instrument reports for a trigger.
    static func judge(_ sourceClass: SourceClass, named name: String, by instrument: String, probability: Double?, into verdict: inout InstrumentVerdict) {
        let odds = probability.map { String(format: " (%.0f %%)", $0 * 100) } ?? ""
        let said = "\(instrument) classes the trigger \(name)\(odds)"
        switch sourceClass {
        case .burst:
            break
        case .unknownTransient:
            verdict.remarks.append("\(said): an astrophysical transient of unknown class, followed as one")
        case .untrustworthyPosition:
            verdict.forbid("\(said): its localisation is not to be trusted")
        case .notAstrophysical:
            verdict.forbid("\(said): particles or a terrestrial flash, not an astrophysical source", kind: .other)
        case .solarFlare:
            verdict.forbid("\(said): a solar flare, not a gamma-ray burst", kind: .other)
        case .knownSource:
            verdict.forbid("\(said): a known Galactic source, not a gamma-ray burst", kind: .other)
        }
    }

    // MARK: VOEvent

    /// The flags of a GCN VOEvent (and of the VOEvents of other brokers, which carry none of them).
    static func read(_ document: VOEventDocument, packetType: Int?, mission: String, kind: Alert.Kind) -> InstrumentVerdict {
        var verdict = InstrumentVerdict()
        func flag(_ name: String) -> Bool { document.value(name)?.lowercased() == "true" }

        // Position: Swift's star tracker. An image trigger during a loss of lock is a false
        // detection at a false position (GCN Circular 10071).
        if flag("StarTrack_Lost_Lock") {
            verdict.forbid("\(mission) flags StarTrack_Lost_Lock: the star tracker had lost lock, so the position is not to be trusted")
        }
        if flag("ImTrig_during_ST_LoL") {
            verdict.forbid("\(mission) flags ImTrig_during_ST_LoL: an image trigger during a star-tracker loss of lock, a false detection")
        }
        if flag("Values_Out_of_Range") {
            verdict.forbid("\(mission) flags Values_Out_of_Range: the notice's values are not to be trusted")
        }
        if flag("CRC_Error") {
            verdict.forbid("\(mission) flags CRC_Error: the packet was corrupted on its way")
        }
        // Source: GCN's own classification flags.
        if flag("Def_NOT_a_GRB") {
            verdict.forbid("\(mission) flags Def_NOT_a_GRB: definitely not a gamma-ray burst", kind: kind == .gammaRayBurst ? .other : nil)
        }
        let catalogs = ["Target_in_Flt_Catalog": "on-board", "Target_in_Gnd_Catalog": "ground", "Target_in_Blk_Catalog": "block"]
        for (name, catalog) in catalogs.sorted(by: { $0.key < $1.key }) where flag(name) {
            let number = document.value("Cat_Num").map { " (catalog number \($0))" } ?? ""
            verdict.forbid(
                "\(mission) flags \(name): a known source of the \(catalog) catalog\(number), not a new transient",
                kind: kind == .gammaRayBurst ? .other : nil)
        }
        // Fermi GBM's classification of the trigger.
        if let index = document.value("Most_Likely_Index").flatMap(NoticeNumber.integer) {
            let probability = document.value("Most_Likely_Prob").flatMap(NoticeNumber.parse).map { $0 / 100 }
            if let known = fermiGBMClasses[index] {
                judge(known.meaning, named: known.name, by: "Fermi GBM", probability: probability, into: &verdict)
            } else {
                verdict.remarks.append("Fermi GBM Most_Likely_Index \(index) is not a class GCN documents")
            }
        }
        // GECAM's classification.
        if let sourceClass = document.value("SRC_CLASS"), sourceClass.uppercased() != "GRB" {
            verdict.forbid("GECAM classes the source SRC_CLASS \(sourceClass), not a GRB", kind: kind == .gammaRayBurst ? .other : nil)
        }
        // Known-source notice types: MAXI's known source, SVOM ECLAIRs' on-board catalogue match.
        switch packetType {
        case 62:
            verdict.forbid("Swift BAT_GRB_Pos_Nack: the on-board image found no point source, so the trigger is not confirmed", kind: .other)
        case 135:
            let name = document.value("Source_Name").map { " \($0)" } ?? ""
            let eventClass = document.value("Event_Class").map { " (\($0))" } ?? ""
            verdict.forbid("MAXI reports the known source\(name)\(eventClass), not a new transient")
        case 203:
            verdict.forbid("SVOM ECLAIRs matched its on-board catalogue: a known source, not a new burst", kind: .other)
        default:
            break
        }
        return verdict
    }

    // MARK: GCN Kafka JSON

    /// The flags of a GCN Kafka JSON notice.
    static func read(gcnJSON json: JSONValue, schemaPath: String?, mission: String, kind: Alert.Kind) -> InstrumentVerdict {
        var verdict = InstrumentVerdict()
        let path = schemaPath ?? ""
        // `classification`: mutually exclusive classes with probabilities (core/Statistics);
        // the most probable one speaks for the trigger.
        if let classes = json["classification"]?.object {
            var best: (name: String, probability: Double)?
            for (name, value) in classes.sorted(by: { $0.key < $1.key }) {
                guard let probability = value.number, probability > (best?.probability ?? -1) else { continue }
                best = (name, probability)
            }
            if let best, let sourceClass = sourceClass(named: best.name) {
                let instrument = json["instrument"]?.string.map { "\(mission) \($0)" } ?? mission
                judge(sourceClass, named: best.name, by: instrument, probability: best.probability, into: &verdict)
            }
        }
        if path.hasPrefix("maxi/gsc.known") {
            verdict.forbid("MAXI's known-source stream: a catalogued source, not a new transient")
        }
        if let known = json["known_source"]?.string, !known.isEmpty {
            verdict.forbid("\(mission) associates the burst with the known source \(known) (a repeating FRB), not a new source")
        }
        if json["systematic_included"]?.bool == false, json["ra_dec_error"] != nil {
            verdict.remarks.append("the error radius is statistical only (systematic_included false)")
        }
        if case .array(let counterparts)? = json["counterpart_info"], !counterparts.isEmpty {
            let names = counterparts.compactMap { $0["name"]?.string ?? $0.string }.prefix(3).joined(separator: ", ")
            verdict.remarks.append("known sources in the region of interest: \(names.isEmpty ? "\(counterparts.count)" : names)")
        }
        return verdict
    }
}
