import Foundation
import Testing

@testable import Observatory
@testable import StarlingCore

/// The Alpaca answer decoder, form encoding and ImageBytes, on hand-made cases and on the
/// exchanges captured from the real simulator (`../shared/data/device_protocols/ascom_alpaca/captured`).
struct AlpacaProtocolTests {
    @Test func formBodiesKeepParameterNamesCaseAndEscapeValues() {
        #expect(AlpacaClient.formEncode([("RightAscension", "5.5"), ("Declination", "-30.0")]) == "RightAscension=5.5&Declination=-30.0")
        #expect(AlpacaClient.formEncode([("SensorName", "Wind Speed&Gust")]) == "SensorName=Wind%20Speed%26Gust")
    }

    @Test func imageBytesAreReadXSlowestIntoRows() throws {
        // 3 × 2 image, UInt16 transmission, as alpaca-simulators sends it (numpy image.T.tobytes()).
        let width = 3, height = 2
        var bytes = Data()
        for value in [1, 0, 0, 0, 44, 2, 8, 2, width, height, 0] {
            withUnsafeBytes(of: Int32(value).littleEndian) { bytes.append(contentsOf: $0) }
        }
        // pixel (x, y) = 10 x + y, element order x * height + y.
        for x in 0..<width { for y in 0..<height { withUnsafeBytes(of: UInt16(10 * x + y).littleEndian) { bytes.append(contentsOf: $0) } } }
        let image = try AlpacaImage(imageBytes: bytes, request: "camera 0 GET imagearray")
        #expect(image.width == 3 && image.height == 2)
        #expect(image.pixels == [0, 10, 20, 1, 11, 21])
    }

    @Test func imageBytesErrorAnswerIsADeviceFault() {
        var bytes = Data()
        for value in [1, 0x40D, 0, 0, 44, 0, 0, 0, 0, 0, 0] { withUnsafeBytes(of: Int32(value).littleEndian) { bytes.append(contentsOf: $0) } }
        bytes.append(contentsOf: Array("No image data available".utf8))
        #expect {
            _ = try AlpacaImage(imageBytes: bytes, request: "camera 0 GET imagearray")
        } throws: { error in
            (error as? DriverError)?.code == .deviceFault && (error as? DriverError)?.message.contains("No image data") == true
        }
    }
}

/// One captured request/response pair.
struct AlpacaExchange: Sendable {
    let method: String
    let path: String
    let sentTransactionID: Int?
    let status: Int
    let body: Data?
    let note: String

    static func load() throws -> [AlpacaExchange] {
        let text = try String(contentsOfFile: DriverTestPaths.alpacaCaptures + "/alpaca_exchanges.jsonl", encoding: .utf8)
        return try text.split(separator: "\n").compactMap { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let status = object["status"] as? Int else {
                return nil
            }
            let sent = object["sent"] as? [String: Any]
            let body = try object["body"].map { try JSONSerialization.data(withJSONObject: $0) }
            return AlpacaExchange(
                method: object["method"] as? String ?? "", path: object["path"] as? String ?? "",
                sentTransactionID: sent?["ClientTransactionID"] as? Int, status: status, body: body, note: object["note"] as? String ?? "")
        }
    }

    func decode() throws(DriverError) -> AlpacaResponse {
        try AlpacaResponse.decode(status: status, body: body ?? Data(), request: "\(method) \(path)", sentTransactionID: sentTransactionID, kind: .mount)
    }
}

@Suite(.enabled(if: DriverTestPaths.exists(DriverTestPaths.alpacaCaptures + "/alpaca_exchanges.jsonl"), "../shared/data/device_protocols/ascom_alpaca is absent (fresh clone)"))
struct AlpacaCapturedExchangeTests {
    let exchanges: [AlpacaExchange]

    init() throws { exchanges = try AlpacaExchange.load() }

    @Test func everyCapturedAnswerDecodesOrFailsWithTheRightCode() throws {
        #expect(exchanges.count > 200)
        var failures = 0
        for exchange in exchanges where exchange.body != nil && exchange.path.hasPrefix("/api/") {
            let object = try JSONSerialization.jsonObject(with: exchange.body!) as? [String: Any]
            let errorNumber = object?["ErrorNumber"] as? Int ?? 0
            do {
                let response = try exchange.decode()
                #expect(exchange.status == 200 && errorNumber == 0, "\(exchange.path) decoded though it is an error")
                // Successful answers echo the ClientTransactionID that was sent.
                if let sent = exchange.sentTransactionID { #expect(response.clientTransactionID == sent) }
            } catch {
                failures += 1
                #expect(exchange.status != 200 || errorNumber != 0, "\(exchange.path): \(error)")
            }
        }
        #expect(failures >= 6)
    }

    @Test func deviceErrorsComeWithHTTP200AndTransactionIDZero() throws {
        let latitude = try #require(exchanges.first { $0.note.contains("out of range") })
        #expect(latitude.status == 200)
        #expect(throws: DriverError.self) { _ = try latitude.decode() }
        do {
            _ = try latitude.decode()
        } catch {
            #expect(error.code == .refused)
            #expect(error.message.contains("0x401 (InvalidValue)"))
            #expect(error.message.contains("Latitude must be between -90 and +90 degrees"))
        }
        let parked = try #require(exchanges.first { $0.note.contains("slew while parked") })
        do {
            _ = try parked.decode()
            Issue.record("a slew while parked is refused")
        } catch {
            #expect(error.code == .refused)
            #expect(error.message.contains("0x408 (Parked)"))
        }
        let unknownDevice = try #require(exchanges.first { $0.note.contains("device number not configured") })
        #expect(throws: DriverError.self) { _ = try unknownDevice.decode() }
    }

    @Test func misspeltParameterNamesAndUnknownMembersAreProtocolErrors() throws {
        let lowercase = try #require(exchanges.first { $0.status == 422 })
        do {
            _ = try lowercase.decode()
            Issue.record("422 must fail")
        } catch {
            #expect(error.code == .protocolError)
            #expect(error.message.contains("case-sensitive"))
        }
        let unknown = try #require(exchanges.first { $0.note.contains("unknown member") })
        do {
            _ = try unknown.decode()
            Issue.record("404 must fail")
        } catch {
            #expect(error.code == .protocolError)
        }
    }

    @Test func capturedValuesDecodeToTheirTypes() throws {
        let names = try #require(exchanges.first { $0.path.hasSuffix("filterwheel/0/names") })
        #expect(try names.decode().value.array?.compactMap(\.string) == ["Red", "Green", "Blue", "Clear", "Luminance"])
        let atPark = try #require(exchanges.first { $0.path.hasSuffix("telescope/0/atpark") })
        #expect(try atPark.decode().value.bool == true)
        let shutter = try #require(exchanges.first { $0.path.hasSuffix("dome/0/shutterstatus") })
        #expect(AlpacaDome.state(shutterStatus: try #require(try shutter.decode().value.int)) == .closed)
        let camera = try #require(exchanges.last { $0.path.hasSuffix("camera/0/camerastate") })
        #expect(try camera.decode().value.int == 5, "the captured light exposure failed offline (Gaia) and left the camera in CameraState 5")
    }
}
