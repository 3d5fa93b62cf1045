import Foundation
import StarlingCore
import Testing

@testable import Imaging

/// Pixel ↔ sky through wcslib, against astropy 8.0.2's `all_pix2world` (0-based pixels),
/// computed once and kept here.
struct WorldCoordinateSystemTests {
    static func close(_ position: EquatorialCoordinates?, _ ra: Double, _ dec: Double, within arcseconds: Double) -> Bool {
        guard let position else { return false }
        return position.separation(from: try! EquatorialCoordinates(rightAscensionDegrees: ra, declinationDegrees: dec)).arcseconds <= arcseconds
    }

    @Test(.enabled(if: TestPaths.hasSharedFITS, "../shared/data/fits is not beside the checkout"))
    func appliesSIPDistortionAsAstropyDoes() throws {
        let frame = try FITSFrame(path: TestPaths.sharedFITS + "/ccdproc_sip-wcs.fit")
        let wcs = try #require(try frame.worldCoordinates())
        #expect(wcs.hasSIP && wcs.projection == "TAN")
        let cases: [((Double, Double), Double, Double)] = [
            ((0, 0), 280.53791697041885, 0.11007538803043622),
            ((99, 49), 280.5542994099939, 0.11510998624641655),
            ((10.5, 40.25), 280.5405397522216, 0.1159687251224924),
        ]
        for ((x, y), ra, dec) in cases {
            #expect(Self.close(wcs.pixelToWorld(x: x, y: y), ra, dec, within: 0.001))
            let back = try #require(wcs.worldToPixel(try EquatorialCoordinates(rightAscensionDegrees: ra, declinationDegrees: dec)))
            #expect(abs(back.x - x) < 1e-4 && abs(back.y - y) < 1e-4)
        }
    }

    @Test(.enabled(if: TestPaths.hasSharedFITS, "../shared/data/fits is not beside the checkout"))
    func readsASINProjectionInFK4() throws {
        let frame = try FITSFrame(path: TestPaths.sharedFITS + "/nomtam_checksum_ngc1316_xte.fits")
        let wcs = try #require(try frame.worldCoordinates())
        #expect(wcs.projection == "SIN" && wcs.referenceFrame == "FK4" && wcs.equinox == 1950)
        #expect(Self.close(wcs.pixelToWorld(x: 0, y: 0), 50.74937900923355, -37.66822559560213, within: 0.001))
        #expect(Self.close(wcs.pixelToWorld(x: 439, y: 299), 49.675034153993714, -37.08696536338929, within: 0.001))
        #expect(abs((wcs.pixelScale(atX: 219.5, y: 149.5)?.arcseconds ?? 0) - 7.0) < 0.01)
    }

    @Test func tangentPlaneProjectionRoundTripsEverywhereOnTheSky() throws {
        for dec in stride(from: -89.0, through: 89.0, by: 22.25) {
            for ra in stride(from: 0.0, to: 360.0, by: 47.5) {
                let centre = try EquatorialCoordinates(rightAscensionDegrees: ra, declinationDegrees: dec)
                let projection = TangentPlaneProjection(center: centre, pixelScale: .arcseconds(2), rotation: .degrees(dec), width: 1000, height: 800)
                let wcs = try #require(try WorldCoordinateSystem(header: FITSHeader(cards: projection.cards)))
                #expect(try #require(wcs.center(width: 1000, height: 800)).separation(from: centre).arcseconds < 1e-6)
                for (x, y) in [(0.0, 0.0), (999.0, 799.0), (123.25, 456.75)] {
                    let sky = try #require(wcs.pixelToWorld(x: x, y: y))
                    let back = try #require(wcs.worldToPixel(sky))
                    #expect(abs(back.x - x) < 1e-6 && abs(back.y - y) < 1e-6)
                }
                // The far side of the sky has no image in a gnomonic projection.
                let opposite = try EquatorialCoordinates(rightAscensionDegrees: ra + 180, declinationDegrees: -dec)
                #expect(wcs.worldToPixel(opposite) == nil)
            }
        }
    }

    /// wcslib 7.12's `wcspih` overruns a buffer on a string value without its closing quote
    /// (found by the fuzz test); such cards never reach it.
    @Test func aDamagedStringCardDoesNotReachWcslib() throws {
        let projection = TangentPlaneProjection(
            center: try EquatorialCoordinates(rightAscensionDegrees: 280.5, declinationDegrees: 0.1), pixelScale: .arcseconds(0.55),
            width: 100, height: 50)
        var images = projection.cards.map { card -> String in
            let value = card.value?.description ?? ""
            let field = value.hasPrefix("'") ? value : String(repeating: " ", count: max(0, 20 - value.count)) + value
            return (card.keyword.padding(toLength: 8, withPad: " ", startingAt: 0) + "= " + field).padding(toLength: 80, withPad: " ", startingAt: 0)
        }
        images.insert("DATE-OBS= '2011-09-01T02:09:05& / YYYY-MM-DDThh:mm:ss observation start, UT".padding(toLength: 80, withPad: " ", startingAt: 0), at: 0)
        images.append("END".padding(toLength: 80, withPad: " ", startingAt: 0))
        let bytes = Array(images.joined().utf8)
        let header = bytes.withUnsafeBytes { FITSHeader(cardImages: $0) }
        #expect(!FITSHeader.isWellFormed(images[0]) && FITSHeader.isWellFormed(images[1]))
        let wcs = try #require(try WorldCoordinateSystem(header: header))
        #expect(try #require(wcs.center(width: 100, height: 50)).separation(from: projection.reference).arcseconds < 1e-6)
    }

    @Test func headersWithoutCelestialAxesHaveNoWCS() throws {
        #expect(try WorldCoordinateSystem(header: FITSHeader()) == nil)
        var spectrum = FITSHeader()
        spectrum.set("NAXIS", .integer(2))
        spectrum.set("CTYPE1", .string("LAMBDA"))
        spectrum.set("CTYPE2", .string("ANGLE"))
        #expect(try WorldCoordinateSystem(header: spectrum) == nil)
    }

    @Test func refusesASingularMatrix() throws {
        var header = FITSHeader()
        for card in TangentPlaneProjection(center: try EquatorialCoordinates(rightAscensionDegrees: 10, declinationDegrees: 20), pixelScale: .arcseconds(1), width: 10, height: 10).cards {
            header.set(card.keyword, card.value ?? .undefined)
        }
        header.set("CD1_1", .real(0))
        header.set("CD1_2", .real(0))
        do {
            _ = try WorldCoordinateSystem(header: header, path: "bad.fits")
            Issue.record("a singular CD matrix must be refused")
        } catch {
            #expect(error.code == .invalidWCS)
            #expect(error.description.contains("singular"))
        }
    }
}
