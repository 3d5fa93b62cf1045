import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Opens a page in headless Chromium and reports what a reader's browser would: console
/// errors, failed loads, images that did not decode, sideways overflow; and saves screenshots.
///
/// Talks the Chrome DevTools Protocol over `--remote-debugging-pipe` (JSON messages ending
/// in NUL on file descriptors 3 and 4), so no port, websocket or extra package is needed.
enum Chromium {
    /// Debian's `chromium`, or another Chromium-family browser on the PATH; `nil` when none.
    static let executable: String? = {
        let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var isAvailable: Bool { executable != nil }

    /// A viewport to load the page in.
    struct Viewport {
        let name: String
        let width: Int
        let height: Int
        let deviceScaleFactor: Double
        let isMobile: Bool

        static let laptop = Viewport(name: "laptop", width: 1366, height: 900, deviceScaleFactor: 1, isMobile: false)
        static let phone = Viewport(name: "phone", width: 390, height: 844, deviceScaleFactor: 2, isMobile: true)
    }

    /// What the page did in one viewport.
    struct PageReport {
        let viewport: String
        /// Console errors, uncaught exceptions, error log entries and failed requests.
        let errors: [String]
        /// Every `<img>`: its source (shortened) and natural width (0 when it did not load or decode).
        let images: [(source: String, naturalWidth: Int)]
        /// The page's scroll width and the viewport's width (a page wider than its viewport scrolls sideways).
        let scrollWidth: Int
        let viewportWidth: Int
        let screenshot: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Loads a file in each viewport, checks it and saves a full-page screenshot per viewport
    /// as `<screenshotPrefix>-<viewport>.png`.
    static func inspect(file: String, viewports: [Viewport], screenshotPrefix: String) throws -> [PageReport] {
        guard let executable else { throw Failure(description: "no Chromium") }
        let profile = NSTemporaryDirectory() + "starling-chromium-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let session = try Session(executable: executable, profile: profile)
        defer { session.terminate() }

        let target = try session.call("Target.createTarget", ["url": "about:blank"])
        let targetID = try string(target, "targetId")
        let attached = try session.call("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        let page = try string(attached, "sessionId")
        for domain in ["Runtime.enable", "Log.enable", "Page.enable", "Network.enable"] { _ = try session.call(domain, [:], session: page) }

        var reports: [PageReport] = []
        for viewport in viewports {
            _ = try session.call(
                "Emulation.setDeviceMetricsOverride",
                ["width": viewport.width, "height": viewport.height, "deviceScaleFactor": viewport.deviceScaleFactor, "mobile": viewport.isMobile],
                session: page)
            session.takeEvents()
            _ = try session.call("Page.navigate", ["url": URL(fileURLWithPath: file).absoluteString], session: page)
            try session.waitForEvent("Page.loadEventFired", session: page)
            let errors = session.takeEvents().compactMap(Self.errorText)
            let probe = """
                JSON.stringify({images: Array.from(document.images).map(i => [i.currentSrc.slice(0, 120), i.naturalWidth]),
                                scrollWidth: document.documentElement.scrollWidth, viewportWidth: window.innerWidth})
                """
            let evaluated = try session.call("Runtime.evaluate", ["expression": probe, "returnByValue": true], session: page)
            guard let result = evaluated["result"] as? [String: Any], let text = result["value"] as? String,
                let data = text.data(using: .utf8), let probeResult = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { throw Failure(description: "the page probe returned \(evaluated)") }
            let images = (probeResult["images"] as? [[Any]] ?? []).map { pair in
                (source: pair.first as? String ?? "", naturalWidth: (pair.last as? NSNumber)?.intValue ?? 0)
            }
            // A full-page screenshot: the layout's content size, captured beyond the viewport.
            let metrics = try session.call("Page.getLayoutMetrics", [:], session: page)
            let content = (metrics["cssContentSize"] ?? metrics["contentSize"]) as? [String: Any]
            let height = min(20_000, (content?["height"] as? NSNumber)?.doubleValue ?? Double(viewport.height))
            let shot = try session.call(
                "Page.captureScreenshot",
                ["format": "png", "captureBeyondViewport": true,
                 "clip": ["x": 0, "y": 0, "width": Double(viewport.width), "height": height, "scale": 1]],
                session: page)
            let path = "\(screenshotPrefix)-\(viewport.name).png"
            guard let base64 = shot["data"] as? String, let png = Data(base64Encoded: base64) else {
                throw Failure(description: "no screenshot data")
            }
            try png.write(to: URL(fileURLWithPath: path))
            reports.append(PageReport(
                viewport: viewport.name, errors: errors, images: images, scrollWidth: (probeResult["scrollWidth"] as? NSNumber)?.intValue ?? 0,
                viewportWidth: (probeResult["viewportWidth"] as? NSNumber)?.intValue ?? 0, screenshot: path))
        }
        _ = try? session.call("Browser.close", [:])
        return reports
    }

    /// The text of an event that means something went wrong on the page, else `nil`.
    private static func errorText(_ event: [String: Any]) -> String? {
        let params = event["params"] as? [String: Any] ?? [:]
        switch event["method"] as? String {
        case "Runtime.consoleAPICalled":
            guard let type = params["type"] as? String, type == "error" || type == "assert" else { return nil }
            let args = (params["args"] as? [[String: Any]] ?? []).map { "\($0["value"] ?? $0["description"] ?? "")" }
            return "console.\(type): " + args.joined(separator: " ")
        case "Runtime.exceptionThrown":
            let details = params["exceptionDetails"] as? [String: Any]
            return "exception: \(details?["text"] ?? "") \((details?["exception"] as? [String: Any])?["description"] ?? "")"
        case "Log.entryAdded":
            guard let entry = params["entry"] as? [String: Any], entry["level"] as? String == "error" else { return nil }
            return "log: \(entry["text"] ?? "") \(entry["url"] ?? "")"
        case "Network.loadingFailed":
            return "load failed: \(params["errorText"] ?? "")"
        default:
            return nil
        }
    }

    private static func string(_ result: [String: Any], _ key: String) throws -> String {
        guard let value = result[key] as? String else { throw Failure(description: "no \(key) in \(result)") }
        return value
    }

    /// Whether the session ended, shared with the watchdog.
    final class WatchdogFlag: Sendable {
        private let value = Mutex(false)
        func withLock<T>(_ body: (inout Bool) -> T) -> T { value.withLock { body(&$0) } }
    }

    /// One browser process and its protocol pipe.
    final class Session {
        private let pid: pid_t
        private let toBrowser: Int32
        private let fromBrowser: Int32
        private var buffer = Data()
        private var nextID = 0
        private var events: [[String: Any]] = []
        /// Kills the browser if a call has not finished in time (a hung browser must not hang the tests).
        private let watchdogDone = WatchdogFlag()

        init(executable: String, profile: String) throws {
            var toPipe: [Int32] = [0, 0], fromPipe: [Int32] = [0, 0]
            guard pipe(&toPipe) == 0, pipe(&fromPipe) == 0 else { throw Failure(description: "pipe: \(String(cString: strerror(errno)))") }
            // Our ends: close-on-exec, and moved above 10 so they never collide with 3 and 4.
            let ourWrite = fcntl(toPipe[1], F_DUPFD_CLOEXEC, 10), ourRead = fcntl(fromPipe[0], F_DUPFD_CLOEXEC, 10)
            let childRead = fcntl(toPipe[0], F_DUPFD_CLOEXEC, 10), childWrite = fcntl(fromPipe[1], F_DUPFD_CLOEXEC, 10)
            for fd in toPipe + fromPipe { close(fd) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, childRead, 3)
            posix_spawn_file_actions_adddup2(&actions, childWrite, 4)
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            let arguments = [
                executable, "--headless", "--disable-gpu", "--no-sandbox", "--remote-debugging-pipe", "--user-data-dir=\(profile)",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                "--allow-file-access-from-files", "about:blank",
            ]
            var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
            defer { for pointer in argv { free(pointer) } }
            var pid: pid_t = 0
            let status = posix_spawn(&pid, executable, &actions, nil, &argv, environ)
            close(childRead)
            close(childWrite)
            guard status == 0 else {
                close(ourWrite)
                close(ourRead)
                throw Failure(description: "cannot start \(executable): \(String(cString: strerror(status)))")
            }
            self.pid = pid
            self.toBrowser = ourWrite
            self.fromBrowser = ourRead
            let done = watchdogDone, browser = pid
            DispatchQueue.global().asyncAfter(deadline: .now() + 120) {
                if !done.withLock({ $0 }) { kill(browser, SIGKILL) }
            }
        }

        func terminate() {
            watchdogDone.withLock { $0 = true }
            close(toBrowser)
            kill(pid, SIGTERM)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            close(fromBrowser)
        }

        /// Sends a command and waits for its result, keeping the events that arrive meanwhile.
        func call(_ method: String, _ params: [String: Any], session: String? = nil) throws -> [String: Any] {
            nextID += 1
            var message: [String: Any] = ["id": nextID, "method": method, "params": params]
            if let session { message["sessionId"] = session }
            var data = try JSONSerialization.data(withJSONObject: message)
            data.append(0)
            try data.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(toBrowser, bytes.baseAddress! + offset, bytes.count - offset)
                    guard written > 0 else { throw Failure(description: "writing to Chromium failed") }
                    offset += written
                }
            }
            while true {
                let reply = try readMessage()
                if reply["id"] as? Int == nextID {
                    if let error = reply["error"] { throw Failure(description: "\(method) failed: \(error)") }
                    return reply["result"] as? [String: Any] ?? [:]
                }
                events.append(reply)
            }
        }

        /// Waits until an event arrives (or has already arrived since the last take).
        func waitForEvent(_ method: String, session: String) throws {
            if events.contains(where: { $0["method"] as? String == method }) { return }
            while true {
                let message = try readMessage()
                events.append(message)
                if message["method"] as? String == method, message["sessionId"] as? String == session { return }
            }
        }

        /// The events received so far, which are then forgotten.
        @discardableResult
        func takeEvents() -> [[String: Any]] {
            defer { events.removeAll() }
            return events
        }

        private func readMessage() throws -> [String: Any] {
            while true {
                if let end = buffer.firstIndex(of: 0) {
                    let message = buffer[buffer.startIndex..<end]
                    buffer.removeSubrange(buffer.startIndex...end)
                    guard let object = try JSONSerialization.jsonObject(with: Data(message)) as? [String: Any] else {
                        throw Failure(description: "not a protocol message")
                    }
                    return object
                }
                var chunk = [UInt8](repeating: 0, count: 65_536)
                let count = read(fromBrowser, &chunk, chunk.count)
                guard count > 0 else { throw Failure(description: "Chromium closed the protocol pipe (crashed, or killed after 120 s)") }
                buffer.append(contentsOf: chunk[0..<count])
            }
        }
    }
}
