import ArgumentParser
import Foundation
import Imaging

extension Starling {
    /// `starling fits …`: inspect and judge FITS frames.
    struct Fits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Inspect FITS files and measure frame quality.",
            discussion: """
                info lists a file's HDUs and the observation facts of its frame; qa measures the \
                frame (background, noise, sources, FWHM, ellipticity, depth); preview writes a \
                zscale PNG. Each exits 0 on success and 1 when the file is not readable FITS, \
                printing the file and the reason.
                """,
            subcommands: [Info.self, QA.self, Preview.self])
    }
}

/// Runs a FITS operation; on a ``FITSError`` prints it on standard error and exits with 1.
func readOrExit<T>(_ body: () throws(FITSError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        printError(error.description)
        throw ExitCode(1)
    }
}

/// The HDU to use: `--hdu N`, else the first with an image.
func hduSelector(_ index: Int?) -> HDUSelector {
    index.map(HDUSelector.index) ?? .firstImage
}

/// A number with a fixed count of decimals, or an empty string for nil.
func fixed(_ value: Double?, _ decimals: Int) -> String {
    guard let value, value.isFinite else { return "" }
    return String(format: "%.\(decimals)f", value)
}
