#if canImport(Glibc)
import Glibc
#endif

/// Help for frame-sized buffers (a 4096×4096 frame is 64 MB of `Float`).
enum LargeBuffer {
    /// Asks the kernel to back a fresh, not yet touched buffer with 2 MB pages where it can
    /// (`madvise(MADV_HUGEPAGE)` on the 2 MB-aligned part).
    ///
    /// Every 4 kB page of new memory costs a page fault when first written: 16,384 of them for
    /// one 64 MB frame, a fifth of the analysis time. With transparent huge pages in
    /// `madvise` mode (Debian's default) the same buffer takes 32 faults. Only advice: where
    /// the kernel declines, or elsewhere than Linux, nothing changes.
    static func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        let hugePage = 2 << 20
        guard let base = buffer.baseAddress, buffer.count >= 2 * hugePage else { return }
        let start = (Int(bitPattern: base) + hugePage - 1) & ~(hugePage - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(hugePage - 1)
        guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(pointer, end - start, MADV_HUGEPAGE)
        #endif
    }

    /// ``adviseHugePages(_:)`` for a typed buffer.
    static func adviseHugePages<Element>(_ buffer: UnsafeMutableBufferPointer<Element>) {
        adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
    }
}
