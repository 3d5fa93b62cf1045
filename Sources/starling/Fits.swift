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

/// Writes a file by writing a temporary file beside it and renaming it into place, so a
/// reader never sees half a file. (Foundation's atomic writes on Linux, `createFile` among
/// them, leave a `TemporaryDirectory.*` folder behind in /tmp for every write.)
func writeReplacing(_ data: Data, to path: String) throws {
    let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
    func failure(_ what: String) -> CocoaError {
        CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "\(what): \(String(cString: strerror(errno)))"])
    }
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else { throw failure("cannot create \(temporary)") }
    let written = data.withUnsafeBytes { bytes -> Bool in
        var offset = 0
        while offset < bytes.count {
            let result = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return false }
            offset += result
        }
        return true
    }
    guard written, close(descriptor) == 0 else {
        let error = failure("cannot write \(temporary)")
        unlink(temporary)
        throw error
    }
    guard rename(temporary, path) == 0 else {
        let error = failure("cannot move \(temporary) into place")
        unlink(temporary)
        throw error
    }
}
