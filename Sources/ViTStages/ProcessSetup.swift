import CMalloc
import Foundation

public enum ProcessSetup {
    /// Everything a vitc tool sets before it starts: passive OpenMP and a heap that keeps
    /// its memory.
    public static func configure() {
        preparePassiveOpenMP()
        keepFreedMemory()
        failWritesPastTheFileSizeLimit()
    }

    /// A write past the file-size limit (`ulimit -f`) kills the process with SIGXFSZ by default,
    /// before it can say anything or remove its temporary file. Ignored, the write fails with
    /// EFBIG instead, and the writer reports it in one line like any other failed write.
    public static func failWritesPastTheFileSizeLimit() {
        signal(SIGXFSZ, SIG_IGN)
    }

    /// Every step allocates and frees the same large activation buffers (up to 34 MB: [B, N, M]
    /// at inference batch 256). By default glibc serves them with mmap and returns them at once,
    /// so each step faults in fresh zeroed pages: measured, a third of the CPU time per training
    /// image, and half of int8 inference time. Keep them in the heap.
    public static func keepFreedMemory() {
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 30)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
        _ = mallopt(M_TOP_PAD, 64 << 20)
    }

    /// oneDNN runs on OpenMP, whose idle workers spin by default and steal the second core
    /// from vitc's own element-wise threads (bf16 training runs ~35% faster with them
    /// passive). libgomp reads OMP_WAIT_POLICY before main, so set it and re-execute once.
    public static func preparePassiveOpenMP() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OMP_WAIT_POLICY"] == nil else { return }
        setenv("OMP_WAIT_POLICY", "PASSIVE", 1)
        // VITC_THREADS limits oneDNN's threads as well as vitc's own.
        if let threads = environment["VITC_THREADS"], environment["OMP_NUM_THREADS"] == nil {
            setenv("OMP_NUM_THREADS", threads, 1)
        }
        _ = execv("/proc/self/exe", CommandLine.unsafeArgv)  // returns only on failure: carry on spinning
    }

    /// Prints progress at once even when stdout is a file (nohup runs).
    public static func unbufferOutput() {
        setvbuf(stdout, nil, _IOLBF, 0)
    }
}
