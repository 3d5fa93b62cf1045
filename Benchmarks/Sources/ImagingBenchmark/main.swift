// ImagingBenchmark: read + background + detection + FWHM on two generated frames, Starling
// against sep (PyPI) and SExtractor (Debian's source-extractor) on the same files in the
// same run.
//
// Frames (fixed seeds): a 4096×4096 float32 frame with ~3,000 Moffat stars (β 3.5, FWHM
// 3.5 px) and a 2048×2048 unsigned 16-bit frame with ~1,000 Gaussian stars (FWHM 3.0 px),
// sky 1000 e⁻, read noise 5 e⁻, gain 1.5 e⁻/ADU. All three tools use 64-pixel background
// meshes with a 3×3 median filter, a 1.5σ threshold over the local background RMS, 5
// pixels, the 3×3 default.conv kernel, 32 deblending levels and a 0.005 contrast. The tools
// take turns for 5 rounds after a warm-up; best and median per tool are printed.
// Targets (issue 4): ≥ 2× faster than sep, ≥ 5× faster than SExtractor, source count within
// 5 % of SExtractor's, Starling's median FWHM within 3 % of the truth.

import BenchmarkSupport
import Foundation
import Imaging

struct Case {
    let name: String
    let field: SyntheticStarField
    let format: FITSFrame.PixelFormat
}

let folder = NSTemporaryDirectory() + "starling-imaging-benchmark"
try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)

let cases = [
    Case(
        name: "4096x4096 float32, 3000 Moffat stars",
        field: SyntheticStarField(
            width: 4096, height: 4096, starCount: 3000, profile: .moffat(fwhm: 3.5, beta: 3.5), fluxRange: 500...500_000,
            minimumSeparation: 10, seed: 4096),
        format: .float32),
    Case(
        name: "2048x2048 uint16, 1000 Gaussian stars",
        field: SyntheticStarField(
            width: 2048, height: 2048, starCount: 1000, profile: .gaussian(fwhm: 3.0), fluxRange: 500...300_000,
            minimumSeparation: 10, seed: 2048),
        format: .unsigned16),
]

/// Writes SExtractor's configuration for the shared settings; returns the .sex path.
func sextractorConfiguration(in folder: String, saturation: Double, gain: Double) throws -> String {
    let parameters = folder + "/starling.param"
    try "X_IMAGE\nY_IMAGE\nFLUX_ISO\nFWHM_IMAGE\nFLAGS\n".write(toFile: parameters, atomically: true, encoding: .utf8)
    let filter = folder + "/starling.conv"
    try "CONV NORM\n1 2 1\n2 4 2\n1 2 1\n".write(toFile: filter, atomically: true, encoding: .utf8)
    let configuration = folder + "/starling.sex"
    let text = """
        CATALOG_TYPE     ASCII_HEAD
        PARAMETERS_NAME  \(parameters)
        DETECT_TYPE      CCD
        DETECT_MINAREA   5
        DETECT_THRESH    1.5
        ANALYSIS_THRESH  1.5
        FILTER           Y
        FILTER_NAME      \(filter)
        DEBLEND_NTHRESH  32
        DEBLEND_MINCONT  0.005
        CLEAN            N
        MASK_TYPE        NONE
        SATUR_LEVEL      \(saturation)
        GAIN             \(gain)
        PIXEL_SCALE      1.0
        SEEING_FWHM      1.2
        STARNNW_NAME     /usr/share/source-extractor/default.nnw
        BACK_TYPE        AUTO
        BACK_SIZE        64
        BACK_FILTERSIZE  3
        BACKPHOTO_TYPE   GLOBAL
        CHECKIMAGE_TYPE  NONE
        MEMORY_OBJSTACK  20000
        MEMORY_PIXSTACK  5000000
        MEMORY_BUFSIZE   4096
        VERBOSE_TYPE     QUIET
        NTHREADS         1
        """
    try text.write(toFile: configuration, atomically: true, encoding: .utf8)
    return configuration
}

/// Source count and median FWHM of clean sources in a SExtractor catalog.
func readCatalog(_ catalog: String) throws -> (Int, Double?) {
    let rows = try String(contentsOfFile: catalog, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
    var widths: [Double] = []
    for row in rows {
        let fields = row.split(separator: " ").compactMap { Double($0) }
        if fields.count == 5, fields[4] == 0, fields[3] > 0 { widths.append(fields[3]) }
    }
    widths.sort()
    return (rows.count, widths.isEmpty ? nil : widths[widths.count / 2])
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

/// Best and median of samples, seconds.
func summary(_ samples: [Double]) -> (best: Double, median: Double) {
    let sorted = samples.sorted()
    return (sorted[0], sorted[sorted.count / 2])
}

var report = BenchmarkReport(title: "Imaging: read + background + detection + FWHM")
let repeats = 5
let clock = ContinuousClock()
for item in cases {
    let path = folder + "/" + (item.format == .float32 ? "frame-4k-float32.fits" : "frame-2k-uint16.fits")
    print("generating \(item.name) …")
    let metadata = FrameMetadata(exposureSeconds: 60, imageType: "LIGHT", object: "benchmark", gain: item.field.gain)
    try FITSFrame(image: item.field.render(), metadata: metadata).write(to: path, format: item.format)
    let configuration = try sextractorConfiguration(in: folder, saturation: item.format == .unsigned16 ? 65_535 : 1e9, gain: item.field.gain)
    let catalog = path + ".cat"
    let sextractorArguments = [path, "-c", configuration, "-CATALOG_NAME", catalog]

    // The three tools take turns, round after round, so that a change in the machine's load
    // (it is shared) weighs on all of them alike. Each is warmed up once first; sep's script
    // warms itself up before its one timed run per round.
    var analysis = try FrameAnalysis(frame: try FITSFrame(path: path))
    var sepAvailable = true, sextractorAvailable = true
    do { _ = try Peer.output("/usr/bin/source-extractor", sextractorArguments) } catch {
        print("SExtractor: not run: \(error)")
        sextractorAvailable = false
    }
    var starlingSamples: [Double] = [], sepSamples: [Double] = [], sextractorSamples: [Double] = []
    var sepResult: [String: Any] = [:]
    for _ in 0..<repeats {
        starlingSamples.append(seconds(try clock.measure { analysis = try FrameAnalysis(frame: try FITSFrame(path: path)) }))
        if sepAvailable {
            do {
                sepResult = try Peer.python("imaging_peer.py", [path, "--repeats", "1"])
                if let best = sepResult["best"] as? Double { sepSamples.append(best) }
            } catch {
                print("sep: not run: \(error)")
                sepAvailable = false
            }
        }
        if sextractorAvailable {
            sextractorSamples.append(seconds(try clock.measure { _ = try Peer.output("/usr/bin/source-extractor", sextractorArguments) }))
        }
    }

    let starling = summary(starlingSamples)
    let truthFWHM = item.field.profile.fwhm
    let fwhm = analysis.summary.medianFWHMPixels ?? .nan
    print(
        "Starling: best \(BenchmarkReport.format(starling.best)), median \(BenchmarkReport.format(starling.median)); "
            + "\(analysis.summary.sourceCount) sources; median FWHM \(String(format: "%.3f", fwhm)) px vs truth \(truthFWHM) "
            + "(\(String(format: "%+.2f", (fwhm / truthFWHM - 1) * 100)) %, target ±3 %: \(abs(fwhm / truthFWHM - 1) <= 0.03 ? "met" : "NOT met"))")
    var sepSeconds: Double?
    if !sepSamples.isEmpty {
        let sep = summary(sepSamples)
        sepSeconds = sep.median
        print(
            "sep \(sepResult["sep"] ?? "?"): best \(BenchmarkReport.format(sep.best)), median \(BenchmarkReport.format(sep.median)); "
                + "\(sepResult["count"] ?? "?") sources; median FWHM (2 r_half) \(sepResult["median_fwhm"] ?? "n/a") px")
    }
    var sextractorSeconds: Double?
    if !sextractorSamples.isEmpty {
        let sextractor = summary(sextractorSamples)
        sextractorSeconds = sextractor.median
        let (count, sextractorFWHM) = try readCatalog(catalog)
        let ratio = Double(analysis.summary.sourceCount) / Double(count)
        print(
            "SExtractor: best \(BenchmarkReport.format(sextractor.best)), median \(BenchmarkReport.format(sextractor.median)); \(count) sources; "
                + "median FWHM_IMAGE \(sextractorFWHM.map { String(format: "%.3f", $0) } ?? "n/a") px")
        print(
            "source count Starling/SExtractor: \(analysis.summary.sourceCount)/\(count) = \(String(format: "%.3f", ratio)) "
                + "(target within 5 %: \(abs(ratio - 1) <= 0.05 ? "met" : "NOT met"))")
        report.note("\(item.name): sources Starling \(analysis.summary.sourceCount), SExtractor \(count) (\(String(format: "%+.1f", (ratio - 1) * 100)) %); Starling FWHM \(String(format: "%.3f", fwhm)) px vs truth \(truthFWHM) (\(String(format: "%+.2f", (fwhm / truthFWHM - 1) * 100)) %)")
    }
    report.add(item.name, starling: starling.median, peer: "sep", peerSeconds: sepSeconds, target: 2)
    report.add(item.name, starling: starling.median, peer: "SExtractor", peerSeconds: sextractorSeconds, target: 5)
}
report.print()

// The generated frames and catalogs take ~90 MB; remove them.
do {
    try FileManager.default.removeItem(atPath: folder)
} catch {
    print("could not remove \(folder): \(error)")
}
