import ArgumentParser
import Foundation
import Imaging

extension Starling.Fits {
    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a zscale-stretched PNG of a frame.",
            discussion: "Uses IRAF's zscale limits; --max-size reduces the picture by block averaging for thumbnails.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: ArgumentHelp("The FITS frame.", valueName: "FILE"))
        var file: String

        @Option(help: ArgumentHelp("Where to write the PNG.", valueName: "PNG"))
        var out: String

        @Option(help: ArgumentHelp("Longest side of the picture in pixels (default: full size).", valueName: "PIXELS"))
        var maxSize: Int?

        @Option(help: ArgumentHelp("The 0-based HDU (default: the first with an image).", valueName: "N"))
        var hdu: Int?

        func validate() throws {
            if let maxSize, maxSize < 8 { throw ValidationError("--max-size must be at least 8 pixels") }
        }

        func run() async throws {
            let frame = try readOrExit { () throws(FITSError) in try FITSFrame(path: file, hdu: hduSelector(hdu)) }
            let preview = FramePreview(image: frame.image, maximumSize: maxSize)
            do {
                try writeReplacing(try preview.pngData(), to: out)
            } catch {
                printError("\(out): cannot write the PNG: \(error)")
                throw ExitCode(1)
            }
            if options.json {
                try printJSON(PreviewDocument(
                    png: out, width: preview.width, height: preview.height, zscale_low_adu: FiniteNumber.value(Double(preview.limits.low)),
                    zscale_high_adu: FiniteNumber.value(Double(preview.limits.high))))
            } else {
                print("\(out): \(preview.width)×\(preview.height) PNG, zscale \(fixed(Double(preview.limits.low), 2))…\(fixed(Double(preview.limits.high), 2)) ADU")
            }
        }
    }
}

/// `starling fits preview --json`.
struct PreviewDocument: Encodable {
    let png: String
    let width: Int
    let height: Int
    let zscale_low_adu: Double?
    let zscale_high_adu: Double?
}
