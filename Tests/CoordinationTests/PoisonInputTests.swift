import Foundation
import Logging
import Persistence
import StarlingCore
import Testing

@testable import Coordination

/// Minimal inputs that once took the process down or were refused for the wrong reason.
enum PoisonInputs {
    /// An element name that is not UTF-8 (`<P\xc3ram/>`): SIGILL inside Foundation's XMLParser.
    static let invalidUTF8Name = Data(Array("<VOEvent><P".utf8) + [0xC3] + Array("ram/></VOEvent>".utf8))
    /// The same in an attribute name.
    static let invalidUTF8Attribute = Data(Array("<VOEvent ivorn='x' r".utf8) + [0xFF] + Array("le='test'/>".utf8))
    /// In a comment (Foundation converts comments with a force-unwrap too).
    static let invalidUTF8Comment = Data(Array("<VOEvent><!-- ".utf8) + [0xC0, 0xAF] + Array(" --></VOEvent>".utf8))
    /// A surrogate code point encoded in UTF-8 (ED A0 80), which is not UTF-8.
    static let encodedSurrogate = Data(Array("<VOEvent ivorn='".utf8) + [0xED, 0xA0, 0x80] + Array("'/>".utf8))

    /// Well-formed UTF-8 XML on which Foundation's XMLParser dereferences a null pointer
    /// (SIGSEGV): a processing instruction without data, and declarations of a document type
    /// whose optional parts are absent. Found by `scripts/fuzz`.
    static let nullPointerMarkup: [(name: String, bytes: Data)] = [
        ("<?x?>", Data("<?x?><VOEvent/>".utf8)),
        ("ATTLIST #IMPLIED", Data("<!DOCTYPE a [<!ATTLIST a b CDATA #IMPLIED>]><a/>".utf8)),
        ("NOTATION", Data(#"<!DOCTYPE a [<!NOTATION n SYSTEM "y">]><a/>"#.utf8)),
        ("unparsed ENTITY", Data(#"<!DOCTYPE a [<!ENTITY e SYSTEM "u" NDATA n>]><a/>"#.utf8)),
        ("PI in the subset", Data("<!DOCTYPE a [<?p?>]><a/>".utf8)),
    ]

    /// `<a>` nested `depth` deep, and closed.
    static func nested(_ depth: Int) -> Data {
        var data = Data(capacity: depth * 7)
        for _ in 0..<depth { data.append(contentsOf: Array("<a>".utf8)) }
        for _ in 0..<depth { data.append(contentsOf: Array("</a>".utf8)) }
        return data
    }

    /// A small VOEvent encoded as UTF-16 or UTF-32, with or without its byte-order mark.
    static func wide(_ encoding: String.Encoding, mark: Bool) -> Data {
        let text = "<?xml version='1.0'?><VOEvent ivorn='ivo://x/y#z' role='test' version='2.0'/>"
        var data = text.data(using: encoding) ?? Data()
        // Foundation writes a mark for .utf16/.utf32 and none for the explicit-endian encodings.
        if !mark, data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) { data = data.dropFirst(encoding == .utf32 ? 4 : 2) }
        return data
    }
}

/// No bytes take the process down: each is refused with its real reason (issue 16, "Poison
/// input" and "Say the real reason").
struct PoisonInputTests {
    static func refusal(_ data: Data) -> AlertFormatError? {
        do {
            let notice = try AlertParser.parse(data)
            Issue.record("expected a refusal, got \(notice.alert.id)")
            return nil
        } catch {
            return error
        }
    }

    @Test(
        "bytes that are not UTF-8 are refused before XMLParser sees them",
        arguments: [
            (PoisonInputs.invalidUTF8Name, "line 1, column 12"), (PoisonInputs.invalidUTF8Attribute, "byte 0xFF"),
            (PoisonInputs.invalidUTF8Comment, "byte 0xC0"), (PoisonInputs.encodedSurrogate, "byte 0xED"),
        ])
    func invalidUTF8IsRefusedNotATrap(bytes: Data, position: String) {
        let error = Self.refusal(bytes)
        #expect(error?.code == .encoding)
        #expect(error?.message.contains("is not valid UTF-8") == true)
        #expect(error?.message.contains(position) == true, "\(String(describing: error))")
    }

    @Test("markup on which XMLParser dereferences a null pointer is refused before it", arguments: PoisonInputs.nullPointerMarkup.map(\.bytes))
    func nullPointerMarkupIsRefused(bytes: Data) {
        let error = Self.refusal(bytes)
        #expect(error?.code == .unsupported)
        let message = error?.message ?? ""
        #expect(message.contains("document type declaration") || message.contains("processing instruction <?x?> without data"), "\(message)")
        #expect(VTPMessage.classify(bytes) == .unknown)
    }

    @Test func processingInstructionsWithDataStillReachTheParser() {
        // A stylesheet instruction (data present) or one with a blank before `?>` is harmless.
        for text in [#"<?xml-stylesheet type="text/xsl" href="v.xsl"?><VOEvent/>"#, "<?x   ?><VOEvent/>"] {
            #expect(Self.refusal(Data(text.utf8))?.code == .unsupported)
            #expect(Self.refusal(Data(text.utf8))?.message.contains("VOEvent version") == true)
        }
    }

    @Test func theVTPRouterCallsAPoisonFrameUnknownInsteadOfParsingIt() {
        #expect(VTPMessage.classify(PoisonInputs.invalidUTF8Name) == .unknown)
        #expect(VTPMessage.classify(PoisonInputs.nested(100_000)) == .unknown)
    }

    @Test func theIntakeStoresAPoisonNoticeAsRefusedWithTheReason() async throws {
        let harness = try IntakeHarness()
        try await harness.intake.start()
        let receipt = try await harness.intake.submit(PoisonInputs.invalidUTF8Name, transport: "scenario:poison.xml")
        guard case .refused(let reason) = receipt.outcome else {
            Issue.record("expected a refusal, got \(receipt.outcome)")
            return
        }
        let stored = try #require(try await harness.store.alert(receipt.id))
        #expect(stored.status == .refused)
        #expect(stored.note == reason)
        #expect(stored.raw == PoisonInputs.invalidUTF8Name)
        #expect(reason.contains("not valid UTF-8"))
    }

    @Test(
        "UTF-16 and UTF-32 are named as such, with or without a byte-order mark",
        arguments: [
            (String.Encoding.utf16LittleEndian, false, "UTF-16 (little-endian"), (.utf16BigEndian, false, "UTF-16 (big-endian"),
            (.utf16, true, "byte-order mark"), (.utf32LittleEndian, false, "UTF-32 (little-endian"), (.utf32BigEndian, false, "UTF-32 (big-endian"),
            (.utf32, true, "UTF-32"),
        ])
    func wideEncodingsAreNamed(encoding: String.Encoding, mark: Bool, expected: String) {
        let error = Self.refusal(PoisonInputs.wide(encoding, mark: mark))
        #expect(error?.code == .encoding)
        #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
        #expect(error?.message.contains("Starling reads notices in UTF-8") == true)
    }

    @Test func aMillionDeepNestingIsRefusedForItsDepth() {
        let error = Self.refusal(PoisonInputs.nested(1_000_000))
        #expect(error?.code == .tooLarge)
        #expect(error?.message.contains("nest more than 64 levels") == true, "\(String(describing: error))")
    }

    @Test func nestingWithinTheLimitReachesTheParser() {
        // 64 deep is allowed: the refusal is about the root element, not the depth.
        let error = Self.refusal(PoisonInputs.nested(64))
        #expect(error?.code == .unrecognised)
        #expect(error?.message.contains("root element 'a'") == true, "\(String(describing: error))")
    }

    @Test func deepJSONIsRefusedForItsDepth() {
        let deep = Data((String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)).utf8)
        let error = Self.refusal(deep)
        #expect(error?.code == .tooLarge)
        #expect(error?.message.contains("nested more than 64 levels") == true, "\(String(describing: error))")
    }

    @Test func wellFormedXMLOverTheLimitIsRefusedForItsSize() {
        var big = Data("<VOEvent ivorn='ivo://x/y#big'>".utf8)
        big.append(Data(repeating: UInt8(ascii: " "), count: 35 << 20))
        big.append(Data("</VOEvent>".utf8))
        let error = Self.refusal(big)
        #expect(error?.code == .tooLarge)
        #expect(error?.message.contains("the notice is 35.0 MiB, more than the 8.0 MiB Starling reads") == true, "\(String(describing: error))")
    }

    @Test func aTopLevelJSONArrayIsNamedAsOne() {
        let error = Self.refusal(Data("[{\"trigger_time\": \"2024-01-01T00:00:00Z\"}]".utf8))
        #expect(error?.code == .unsupported)
        #expect(error?.message.contains("a JSON array of 1 item") == true, "\(String(describing: error))")
    }

    @Test func anXMLDeclarationOfAnotherEncodingIsRefused() {
        let latin1 = Data("<?xml version='1.0' encoding='ISO-8859-1'?><VOEvent ivorn='x'/>".utf8)
        let error = Self.refusal(latin1)
        #expect(error?.code == .encoding)
        #expect(error?.message.contains("'ISO-8859-1'") == true)
        // UTF-8 and US-ASCII (a subset) pass the check.
        for name in ["UTF-8", "utf-8", "ASCII", "US-ASCII"] {
            let declared = Data("<?xml version='1.0' encoding='\(name)'?><VOEvent/>".utf8)
            #expect(Self.refusal(declared)?.code != .encoding, "\(name)")
        }
    }

    @Test func emptyAndBlankNoticesSaySo() {
        for bytes in [Data(), Data("  \n\t ".utf8), Data([0xEF, 0xBB, 0xBF])] {
            let error = Self.refusal(bytes)
            #expect(error?.code == .unrecognised)
            #expect(error?.message == "the notice is empty")
        }
    }

    /// A property: whatever the bytes, parsing returns or refuses; a refusal of mangled real
    /// bytes always has a reason. (The fuzzer, `scripts/fuzz`, searches far wider.)
    @Test func mangledPacketsAreRefusedOrReadNeverATrap() throws {
        let packet = try TestPaths.fixture("swift-bat-minimal.xml")
        var generator = SeededGenerator(seed: 16)
        for _ in 0..<2_000 {
            var bytes = Array(packet)
            for _ in 0..<Int(generator.next() % 4 + 1) {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] = UInt8(truncatingIfNeeded: generator.next())
            }
            do {
                _ = try AlertParser.parse(Data(bytes))
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
    }
}
