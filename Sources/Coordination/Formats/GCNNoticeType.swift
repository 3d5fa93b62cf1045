import StarlingCore

/// What a GCN `Packet_Type` number means: the mission, the notice's name and the kind of
/// transient (GCN's table of socket packet types, gcn.gsfc.nasa.gov/sock_pkt_def_doc.html).
struct GCNNoticeType: Sendable, Hashable {
    let mission: String
    let name: String
    let kind: Alert.Kind
    /// The probability the notice's error radius contains, as GCN documents it for the type:
    /// 0.9 for Swift's BAT, XRT and UVOT positions ("90 % containment", gcn.gsfc.nasa.gov/swift.html),
    /// 0.68 for Fermi GBM's (1σ, statistical and systematic); `nil` where GCN does not say.
    let containment: Double?
    let isRetraction: Bool

    init(_ mission: String, _ name: String, _ kind: Alert.Kind, containment: Double? = nil, isRetraction: Bool = false) {
        self.mission = mission
        self.name = name
        self.kind = kind
        self.containment = containment
        self.isRetraction = isRetraction
    }

    /// The known packet types; others are named `Packet_Type_N` with the mission from the IVORN.
    static func named(_ packetType: Int) -> GCNNoticeType? { table[packetType] }

    private static let table: [Int: GCNNoticeType] = [
        51: .init("INTEGRAL", "INTEGRAL_Point_Dir", .gammaRayBurst),
        52: .init("INTEGRAL", "INTEGRAL_SPIACS", .gammaRayBurst),
        53: .init("INTEGRAL", "INTEGRAL_Wakeup", .gammaRayBurst),
        54: .init("INTEGRAL", "INTEGRAL_Refined", .gammaRayBurst),
        55: .init("INTEGRAL", "INTEGRAL_Offline", .gammaRayBurst),
        56: .init("INTEGRAL", "INTEGRAL_Weak", .gammaRayBurst),
        59: .init("Konus-Wind", "KONUS_Lightcurve", .gammaRayBurst),
        60: .init("Swift", "BAT_GRB_Alert", .gammaRayBurst),
        61: .init("Swift", "BAT_GRB_Pos", .gammaRayBurst, containment: 0.9),
        62: .init("Swift", "BAT_GRB_Pos_Nack", .gammaRayBurst),
        67: .init("Swift", "XRT_Pos", .gammaRayBurst, containment: 0.9),
        81: .init("Swift", "UVOT_Pos", .gammaRayBurst, containment: 0.9),
        97: .init("Swift", "BAT_QuickLook_Pos", .gammaRayBurst, containment: 0.9),
        98: .init("Swift", "BAT_SubThresh_Pos", .gammaRayBurst, containment: 0.9),
        110: .init("Fermi", "GBM_Alert", .gammaRayBurst),
        111: .init("Fermi", "GBM_Flt_Pos", .gammaRayBurst, containment: 0.68),
        112: .init("Fermi", "GBM_Gnd_Pos", .gammaRayBurst, containment: 0.68),
        115: .init("Fermi", "GBM_Fin_Pos", .gammaRayBurst, containment: 0.68),
        131: .init("Fermi", "GBM_SubThresh", .gammaRayBurst, containment: 0.68),
        134: .init("MAXI", "MAXI_Unknown_Source", .xRayTransient),
        135: .init("MAXI", "MAXI_Known_Source", .xRayTransient),
        150: .init("LVK", "Preliminary", .gravitationalWave),
        151: .init("LVK", "Initial", .gravitationalWave),
        152: .init("LVK", "Update", .gravitationalWave),
        157: .init("IceCube", "AMON_ICECUBE_COINC", .neutrino),
        158: .init("IceCube", "AMON_ICECUBE_HESE", .neutrino),
        159: .init("IceCube", "AMON_ICECUBE_EHE", .neutrino),
        163: .init("LVK", "EarlyWarning", .gravitationalWave),
        164: .init("LVK", "Retraction", .gravitationalWave, isRetraction: true),
        169: .init("IceCube", "AMON_NU_EM_COINC", .neutrino),
        173: .init("IceCube", "ICECUBE_ASTROTRACK_GOLD", .neutrino),
        174: .init("IceCube", "ICECUBE_ASTROTRACK_BRONZE", .neutrino),
        176: .init("IceCube", "ICECUBE_CASCADE", .neutrino),
        188: .init("GECAM", "GECAM_FLT", .gammaRayBurst),
        189: .init("GECAM", "GECAM_GND", .gammaRayBurst),
        201: .init("SVOM", "SVOM_GRM_Trigger", .gammaRayBurst),
        202: .init("SVOM", "SVOM_ECLAIRs_Wakeup", .gammaRayBurst),
        203: .init("SVOM", "SVOM_ECLAIRs_Catalog", .gammaRayBurst),
        204: .init("SVOM", "SVOM_ECLAIRs_Slewing", .gammaRayBurst),
        205: .init("SVOM", "SVOM_ECLAIRs_Not_Slewing", .gammaRayBurst),
    ]
}
