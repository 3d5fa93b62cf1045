import Foundation
import StarlingFuzzing

/// The target this process fuzzes, from `STARLING_FUZZ_TARGET` (scripts/fuzz sets it): one
/// binary for the four parsers, so one instrumented build serves them all.
let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["STARLING_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("set STARLING_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")), not '\(name)'")
    }
    return target
}()

/// libFuzzer's entry point: one input, which must hold what ``FuzzTarget`` requires. A
/// violation traps, so that libFuzzer keeps the input as a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    let problems = target.violations(for: data)
    if !problems.isEmpty { fatalError("\(target.rawValue): \(problems.joined(separator: "; "))") }
    return 0
}

/// libFuzzer's start-up hook. With `STARLING_FUZZ_DESCRIBE` set it prints what scripts/fuzz
/// needs to know about the target (the longest input, the seed files' suffixes) and exits,
/// so that those facts live in one place (``FuzzTarget``).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    if ProcessInfo.processInfo.environment["STARLING_FUZZ_DESCRIBE"] != nil {
        print("max_len=\(target.maximumInputBytes) suffixes=\(target.seedSuffixes.joined(separator: ","))")
        exit(0)
    }
    _ = target  // a wrong STARLING_FUZZ_TARGET stops here, before any input
    return 0
}
