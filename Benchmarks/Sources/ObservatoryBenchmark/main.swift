// ObservatoryBenchmark: the simulated observatory's speed.
//
// Section 1, "Frame rendering (4096×4096)": SimulatedFrameRenderer renders a 60-s r-band frame
// of NGC 4594 (M104) from the catalog, on Cerro Tololo's 1-m survey telescope A (the
// sitian-1m model: 1.03″/px, gain 1.6 e⁻/ADU, read noise 5.5 e⁻) with its camera read as a
// 4096×4096 window, at new Moon, 1.2″ seeing, at the galaxy's highest in astronomical night.
// Timed: render (sky and Moon ephemeris, star field, PSF stamps, stars and galaxy, noise,
// header and WCS), 5 runs after a warm-up; target (issue 5): median < 0.5 s on 2 cores.
// Peer: photutils (make_model_image with MoffatPSF, 4×4 oversampling, numpy Poisson and read
// noise) on the same star list, PSF and background, in the same run; the ratio is printed.
// (The lead adds section 2, a whole simulated night, to this target.)

import BenchmarkSupport
import Foundation
import Imaging
import Observatory
import Sky
import StarlingCore

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
let layout = ProjectLayout(root: root)

func section1FrameRendering() throws {
    print("== Section 1: frame rendering (4096×4096) ==")
    let network = try layout.loadNetwork()
    guard let (site, model) = network.locate("cerro-tololo-1m-a") else { fatalError("sites/: no cerro-tololo-1m-a") }
    let camera = model.camera
    let window = Camera(
        name: camera.name, widthPixels: 4096, heightPixels: 4096, pixelSizeMicrons: camera.pixelSizeMicrons, gain: camera.gain,
        readNoise: camera.readNoise, fullWell: camera.fullWell, readoutSeconds: camera.readoutSeconds, darkCurrent: camera.darkCurrent,
        temperatureCelsius: camera.temperatureCelsius)
    let telescope = Telescope(
        id: model.id, name: model.name, apertureMeters: model.apertureMeters, focalLengthMillimeters: model.focalLengthMillimeters,
        camera: window, filters: model.filters, mount: model.mount, enclosure: model.enclosure, filterChangeSeconds: model.filterChangeSeconds,
        throughput: model.throughput, safety: model.safety, driver: model.driver)
    let catalog = try layout.loadCatalog(named: "nearby_galaxies")
    let galaxies = catalog.targets.compactMap(FieldGalaxy.init(target:))
    guard let m104 = catalog.target(named: "NGC 4594") else { fatalError("catalogs/: no NGC 4594") }
    // The galaxy's highest point in astronomical night, 2026-06-15/16 (new Moon).
    let observer = Observer(site: site)
    var best = (date: Date(timeIntervalSince1970: 1_781_481_600), altitude: -90.0)
    for step in 0..<(14 * 6) {
        let date = Date(timeIntervalSince1970: 1_781_474_400 + Double(step) * 600)  // from 2026-06-14 22:00 UTC
        let frame = try observer.frame(at: date)
        let altitude = frame.horizontal(of: m104.coordinates).altitude.degrees
        if frame.sun.horizontal.altitude.degrees < -18 && altitude > best.altitude { best = (date, altitude) }
    }
    let scene = ExposureScene(
        telescope: telescope, site: site, filter: Filter("r"), start: best.date, exposureSeconds: 60, pointing: m104.coordinates,
        zenithSeeing: .arcseconds(1.2), object: m104.name, seed: 104)
    let renderer = SimulatedFrameRenderer(galaxies: galaxies)
    var frame = renderer.render(scene)
    let timing = Timing.measure(repeats: 5) { frame = renderer.render(scene) }
    let sources = renderer.sources(in: scene)
    let stars = sources.filter { $0.galaxyName == nil }
    let inField = sources.compactMap(\.galaxyName)
    let (_, quality) = renderer.model(scene)
    let modelTiming = Timing.measure(repeats: 5) { for _ in 0..<1000 { _ = renderer.model(scene) } }
    print(
        "field: \(m104.name) at altitude \(String(format: "%.1f", best.altitude))° (airmass \(String(format: "%.3f", frame.metadata.airmass ?? .nan))), "
            + "\(stars.count) stars, galaxies \(inField.joined(separator: ", ")); PSF FWHM \(String(format: "%.2f", renderer.psfFWHMPixels(scene))) px; "
            + "model: limit r = \(String(format: "%.2f", quality.limitingMagnitude ?? .nan)), \(quality.sourceCount) sources")
    let met = timing.median < 0.5 ? "met" : "NOT met"
    print(
        "Starling render: best \(BenchmarkReport.format(timing.best)), median \(BenchmarkReport.format(timing.median)) "
            + "(target < 0.5 s: \(met)); model(_:) \(String(format: "%.1f", modelTiming.median / 1000 * 1e6)) µs per frame")

    // The peer renders the same stars (the galaxy is Starling's alone: photutils has no
    // profile for it here) with the same PSF, background and detector.
    let folder = NSTemporaryDirectory() + "starling-observatory-benchmark"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let path = folder + "/stars.json"
    let spec: [String: Any] = [
        "width": 4096, "height": 4096, "fwhm": renderer.psfFWHMPixels(scene), "beta": renderer.moffatBeta,
        "background_electrons": renderer.backgroundElectrons(scene), "read_noise": window.readNoise, "gain": window.gain,
        "bias": renderer.biasADU, "saturation": window.saturationADU, "stars": stars.map { [$0.x, $0.y, $0.electrons] },
    ]
    try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: path))
    do {
        let peer = try Peer.python("observatory_peer.py", [path, "--repeats", "3"])
        if let peerMedian = peer["median"] as? Double, let peerBest = peer["best"] as? Double {
            print(
                "photutils render (same \(stars.count) stars): best \(BenchmarkReport.format(peerBest)), median \(BenchmarkReport.format(peerMedian)); "
                    + "Starling is \(String(format: "%.1f", peerMedian / timing.median))× faster (median over median)")
        }
    } catch {
        print("photutils: not run: \(error) (scripts/install-deps --bench installs it)")
    }
}

try section1FrameRendering()
