import Dispatch
import Foundation

/// Splitting work over the machine's cores: image rows in bands, sources in chunks.
///
/// Every caller hands each band a disjoint part of its output, so bands never write the same
/// memory; results that are lists are gathered per band and joined in band order, which
/// keeps the output independent of scheduling.
package enum Parallel {
    /// How many bands to cut work into: two per core, so a slow band does not idle a core.
    package static var bandCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount * 2) }

    /// Runs `body` over `0..<count` cut into contiguous ranges, concurrently when worthwhile.
    ///
    /// - Parameters:
    ///   - count: the number of items (rows, sources).
    ///   - minimumPerBand: below this many items per band the work runs on one thread.
    ///   - body: called once per range; ranges are disjoint and cover `0..<count`.
    package static func forEachRange(_ count: Int, minimumPerBand: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let bands = min(bandCount, max(1, count / max(1, minimumPerBand)))
        if bands == 1 {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let work = Unchecked(body)
            DispatchQueue.concurrentPerform(iterations: bands) { band in
                work.value(range(band, of: bands, count: count))
            }
        }
    }

    /// Runs `body` per range and returns what each range produced, in range order.
    package static func map<T>(_ count: Int, minimumPerBand: Int, _ body: (Range<Int>) -> T) -> [T] {
        guard count > 0 else { return [] }
        let bands = min(bandCount, max(1, count / max(1, minimumPerBand)))
        let results = UnsafeMutablePointer<T?>.allocate(capacity: bands)
        results.initialize(repeating: nil, count: bands)
        defer {
            results.deinitialize(count: bands)
            results.deallocate()
        }
        if bands == 1 {
            results[0] = body(0..<count)
        } else {
            withoutActuallyEscaping(body) { body in
                let work = Unchecked(body), slots = Unchecked(results)
                DispatchQueue.concurrentPerform(iterations: bands) { band in
                    // Each band writes only its own slot.
                    slots.value[band] = work.value(range(band, of: bands, count: count))
                }
            }
        }
        return (0..<bands).map { results[$0]! }
    }

    /// Carries a closure or pointer into `concurrentPerform`'s `@Sendable` closure.
    ///
    /// Sound because `concurrentPerform` is synchronous: it returns only after every band has
    /// finished, so what the value refers to outlives all uses, and each caller's contract is
    /// that bands touch disjoint memory (their own rows, slots or sources) and only read what
    /// they share.
    private struct Unchecked<Value>: @unchecked Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private static func range(_ band: Int, of bands: Int, count: Int) -> Range<Int> {
        (band * count / bands)..<((band + 1) * count / bands)
    }
}
