import Foundation

public enum ProcessSetup {
    /// oneDNN runs on OpenMP, whose idle workers spin by default and steal the second core
    /// from vitc's own element-wise threads (bf16 training runs ~35% faster with them
    /// passive). libgomp reads OMP_WAIT_POLICY before main, so set it and re-execute once.
    public static func preparePassiveOpenMP() {
        guard ProcessInfo.processInfo.environment["OMP_WAIT_POLICY"] == nil else { return }
        setenv("OMP_WAIT_POLICY", "PASSIVE", 1)
        var arguments = CommandLine.unsafeArgv
        _ = execv("/proc/self/exe", &arguments[0])  // returns only on failure: carry on spinning
        _ = arguments
    }

    /// Inference allocates and frees tensors of tens of megabytes in every layer ([B, N, M] at
    /// batch 256 is 34 MB). Above glibc's mmap threshold (at most 32 MB by its own rule) each
    /// comes back as fresh pages that the kernel zeroes and faults in again. Kept in the heap,
    /// the teacher's batch-256 inference ran 1.9x faster in int8 and 1.15x in f32 (measured).
    public static func keepLargeAllocationsInHeap() {
        // Swift's Glibc module leaves out malloc.h; these are its M_TRIM_THRESHOLD and M_MMAP_THRESHOLD.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        _ = mallopt(-1, 1 << 30)
        _ = mallopt(-3, 1 << 30)
    }

    /// Prints progress at once even when stdout is a file (nohup runs).
    public static func unbufferOutput() {
        setvbuf(stdout, nil, _IOLBF, 0)
    }
}
