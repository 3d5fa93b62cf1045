import Foundation
import Testing

/// `starling mcp` as a client that writes its requests and closes its end at once: every
/// request is still answered (the server waits for the answers under way before it exits),
/// and a line that is not JSON gets a parse error, not a crash.
struct MCPStdioTests {
    @Test(.timeLimit(.minutes(2)))
    func requestsSentBeforeTheInputClosesAreAllAnswered() throws {
        let lines = [
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"target_observability","arguments":{"site":"xinglong","date":"2026-11-23","name":"M31"}}}"#,
            #"{"jsonrpc":"2.0","id":"three","method":"tools/call","params":{"name":"night_plan","arguments":{"site":"nowhere"}}}"#,
            "not json at all",
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["--signal=KILL", "90", ServeTestPaths.executable, "mcp"]
        process.environment = ["STARLING_STORE": NSTemporaryDirectory() + "no-such-store-\(UUID().uuidString).sqlite", "PATH": "/usr/bin:/bin"]
        process.currentDirectoryURL = URL(fileURLWithPath: ServeTestPaths.packageRoot)
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        var answers: [String: [String: Any]] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            answers["\(object["id"] ?? "none")"] = object
        }
        #expect(answers["1"]?["result"] != nil)
        let observability = try #require(answers["2"]?["result"] as? [String: Any], "\(answers.keys.sorted())")
        #expect(observability["isError"] as? Bool == false)
        let refused = try #require(answers["three"]?["result"] as? [String: Any])
        #expect(refused["isError"] as? Bool == true)
        #expect(answers.values.contains { ($0["error"] as? [String: Any])?["code"] as? Int == -32700 }, "the line that is not JSON gets a parse error")
    }
}
