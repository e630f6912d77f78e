import Foundation
import XCTest
@testable import ViTCommands
@testable import ViTStages

/// Set by the test's own SIGUSR1 handler, which the cleanup passes the signal on to.
private nonisolated(unsafe) var usr1Delivered = false

final class InterruptCleanupTests: XCTestCase {
    // SIGUSR1 with a handler that only takes note stands in for Ctrl-C, which would end the test run.
    func testASignalRemovesTheFolderThenReachesThePreviousHandler() throws {
        let folder = temporaryPath("work")
        try FileManager.default.createDirectory(atPath: folder + "/unpacked", withIntermediateDirectories: true)
        usr1Delivered = false
        let original = signal(SIGUSR1) { _ in usr1Delivered = true }
        defer { signal(SIGUSR1, original) }
        let cleanup = InterruptCleanup(removing: folder, on: [SIGUSR1])
        kill(getpid(), SIGUSR1)
        let deadline = Date() + 60
        while (FileManager.default.fileExists(atPath: folder) || !usr1Delivered) && Date() < deadline { usleep(10_000) }
        XCTAssertTrue(usr1Delivered, "the signal was passed on")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder))
        cleanup.cancel()
    }

    func testASignalIsHandledWhileOtherThreadsThatDoNotBlockItRun() throws {
        // What CI had after ImportCommandTests: idle threads that take any signal given them.
        // A signalfd-based dispatch source lost the signal to them (ignored there), and the folder stayed.
        let bystanders = (0..<8).map { _ in Thread { while !Thread.current.isCancelled { usleep(1_000) } } }
        bystanders.forEach { $0.start() }
        defer { bystanders.forEach { $0.cancel() } }
        try testASignalRemovesTheFolderThenReachesThePreviousHandler()
    }

    func testCancelStopsWatchingAndRestoresTheHandler() throws {
        let folder = temporaryPath("kept")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        usr1Delivered = false
        let original = signal(SIGUSR1) { _ in usr1Delivered = true }
        defer { signal(SIGUSR1, original) }
        InterruptCleanup(removing: folder, on: [SIGUSR1]).cancel()
        // kill() may hand a process-wide signal to any other thread, after it returns: wait for it.
        kill(getpid(), SIGUSR1)
        let deadline = Date() + 10
        while !usr1Delivered && Date() < deadline { usleep(10_000) }
        XCTAssertTrue(usr1Delivered, "delivered straight to the restored handler")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder))
    }

    func testAnIgnoredSignalStaysIgnored() throws {
        let folder = temporaryPath("ignored")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let original = signal(SIGUSR2, SIG_IGN)
        defer { signal(SIGUSR2, original) }
        let cleanup = InterruptCleanup(removing: folder, on: [SIGUSR2])
        kill(getpid(), SIGUSR2)
        usleep(100_000)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder))
        cleanup.cancel()
        XCTAssertEqual(unsafeBitCast(signal(SIGUSR2, SIG_IGN), to: Int.self), unsafeBitCast(SIG_IGN, to: Int.self))
    }
}
