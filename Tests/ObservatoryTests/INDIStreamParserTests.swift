import Foundation
import Imaging
import Testing

@testable import Observatory
@testable import StarlingCore

/// The INDI tokenizer and decoder on hand-made edge cases and on a whole recorded session
/// with Debian's simulators (`../shared/data/device_protocols/indi`).
struct INDIStreamParserTests {
    @Test func elementsSplitAtEveryByteAreReassembled() throws {
        let xml = """
            <?xml version="1.0"?><!-- a comment with <tags> -->
            <defTextVector device="A &amp; B" name="T" state="Ok" perm="rw" message="x > y">
              <defText name="one" label="It&apos;s">a &lt;b&gt; &#x41;&#66;</defText>
            </defTextVector>
            <message device="A &amp; B" message="[INFO] done"/>
            """
        var parser = INDIXMLParser()
        var elements: [INDIXMLElement] = []
        for byte in Array(xml.utf8) { elements += try parser.feed([byte]) }
        #expect(elements.map(\.name) == ["defTextVector", "message"])
        let event = try #require(try INDIEvent(elements[0]))
        guard case .define(let vector) = event else { Issue.record("expected a definition"); return }
        #expect(vector.device == "A & B")
        #expect(vector.message == "x > y")
        #expect(vector.element("one")?.label == "It's")
        #expect(vector.text("one") == "a <b> AB")
        #expect(!parser.isInsideElement)
    }

    @Test func mismatchedClosingTagIsAProtocolError() {
        var parser = INDIXMLParser()
        #expect(throws: DriverError.self) { _ = try parser.feed(Array("<a><b></a>".utf8)) }
    }

    @Test(arguments: [("16:41:41", 16.694722), ("-05 30 00", -5.5), ("36.4597", 36.4597), ("12:30.5", 12.508333)])
    func numbersMayBeSexagesimal(text: String, expected: Double) throws {
        let value = try #require(INDIVector.parseNumber(text))
        #expect(abs(value - expected) < 1e-5)
    }

    @Test func zlibCompressedBLOBIsInflated() throws {
        // "Hello, INDI" compressed by zlib.compress (Python) at level 9.
        let compressed = Data([120, 218, 243, 72, 205, 201, 201, 215, 81, 240, 244, 115, 241, 4, 0, 21, 209, 3, 101])
        let inflated = try INDICamera.inflate(compressed, device: "CCD Simulator")
        #expect(String(decoding: inflated, as: UTF8.self) == "Hello, INDI")
    }
}

/// The whole 1.1 MB server-to-client stream of a recorded session, parsed in uneven chunks.
@Suite(.enabled(if: DriverTestPaths.exists(DriverTestPaths.indiRecording + "/indi_server_to_client.xml"), "../shared/data/device_protocols/indi is absent (fresh clone)"))
struct INDIRecordedSessionTests {
    let events: [INDIEvent]
    let elementNames: [String]

    init() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: DriverTestPaths.indiRecording + "/indi_server_to_client.xml"))
        var parser = INDIXMLParser()
        var elements: [INDIXMLElement] = []
        var offset = 0
        var chunk = 1
        // Chunk sizes that grow from 1 byte to 64 KiB, so splits fall inside tags, entities and the BLOB.
        while offset < data.count {
            let end = min(data.count, offset + chunk)
            elements += try parser.feed(data[offset..<end])
            offset = end
            chunk = chunk >= 65_536 ? 1 : chunk * 3 + 1
        }
        #expect(!parser.isInsideElement)
        elementNames = elements.map(\.name)
        events = try elements.compactMap { try INDIEvent($0) }
    }

    @Test func recordedStreamHas187PropertiesAnd457NumberUpdates() {
        let definitions = events.compactMap { if case .define(let vector) = $0 { vector } else { nil } }
        #expect(definitions.count == 206)  // some properties are defined again after CONNECT
        let unique = Set(definitions.map { "\($0.device)|\($0.name)" })
        #expect(unique.count == 187)
        #expect(elementNames.filter { $0 == "setNumberVector" }.count == 457)
        let perDevice = Dictionary(grouping: unique, by: { $0.split(separator: "|")[0] }).mapValues(\.count)
        #expect(perDevice == ["Telescope Simulator": 42, "Dome Simulator": 30, "Weather Simulator": 17, "CCD Simulator": 65, "Focuser Simulator": 26, "Filter Simulator": 7])
        let messages = events.filter { if case .message = $0 { true } else { false } }
        #expect(messages.count == 19)
    }

    @Test func recordedFITSBLOBDecodesToAFrameImagingReads() throws {
        let blobs = events.compactMap { event -> INDIVector? in
            if case .update(let vector) = event, vector.kind == .blob { vector } else { nil }
        }
        let vector = try #require(blobs.first)
        #expect(blobs.count == 1)
        let blob = try #require(vector.blob("CCD1"))
        #expect(blob.format == ".fits")
        #expect(blob.data.count == 662_400)
        #expect(blob.size == 662_400)
        let camera = INDICamera(client: INDIClient(host: "127.0.0.1"), device: "CCD Simulator")
        let frame = try camera.decode(blob)
        // Binned 2×2 from the simulator's 1280×1024 sensor.
        #expect(frame.image.width == 640)
        #expect(frame.image.height == 512)
        #expect(frame.metadata.exposureSeconds == 2)
    }

    @Test func replayedSessionLeavesTheDevicesInTheirFinalStates() async throws {
        let client = INDIClient(host: "127.0.0.1")
        for event in events { await client.apply(event) }
        let shutter = try #require(await client.property("DOME_SHUTTER", of: "Dome Simulator"))
        #expect(INDIDome.state(of: shutter) == .open)
        let park = try #require(await client.property("TELESCOPE_PARK", of: "Telescope Simulator"))
        #expect(park.isOn("PARK") == true && park.state == .ok)
        let parameters = try #require(await client.property("WEATHER_PARAMETERS", of: "Weather Simulator"))
        let status = await client.property("WEATHER_STATUS", of: "Weather Simulator")
        let weather = INDIWeather.snapshot(parameters: parameters, status: status, at: Date(timeIntervalSince1970: 0))
        #expect(weather.sensorSaysSafe == true)
        #expect(weather.isRaining == false)
        let slot = try #require(await client.property("FILTER_SLOT", of: "Filter Simulator"))
        #expect(slot.number("FILTER_SLOT_VALUE") == 3)
        // The slew to M13 in JNow (16.6947 h, 36.4597°) was reached.
        let coordinates = try #require(await client.property("EQUATORIAL_EOD_COORD", of: "Telescope Simulator"))
        #expect(await client.messages(for: "Telescope Simulator").contains { $0.text.contains("slew is complete") })
        #expect(coordinates.element("RA")?.maximum == 24)
    }
}
