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

    /// Prints progress at once even when stdout is a file (nohup runs).
    public static func unbufferOutput() {
        setvbuf(stdout, nil, _IOLBF, 0)
    }
}
