import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Waits for a termination signal (Ctrl-C) without the default handler killing the process,
/// so a command can stop its tasks and close its store cleanly.
final class SignalWatch {
    private let sources: [any DispatchSourceSignal]
    private let stream: AsyncStream<Int32>

    init(_ signals: Int32...) {
        // A parent may have blocked these signals and the mask is inherited (execve(2)); the
        // thread that installs the watch takes them, so Ctrl-C works however we were started.
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.stream = stream
        sources = signals.map { number in
            signal(number, SIG_IGN)  // the dispatch source sees it; the default action does not run
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// Returns when one of the signals arrives.
    func wait() async {
        for await _ in stream { return }
    }
}
