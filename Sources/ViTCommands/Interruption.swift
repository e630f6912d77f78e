import ArgumentParser
import Foundation
import ViTCore
import ViTStages

/// Runs a training command's stage; when a signal stops it (`RunInterrupted`), prints the one line
/// that says what the output file holds and how to go on, and exits 130 (SIGINT) or 143 (SIGTERM).
func reportingInterruption(_ tool: String, output: String, continueWith: String?, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let interrupted as RunInterrupted {
        var line = "\(tool): \(interrupted); \(interrupted.kept(output))"
        if interrupted.completedEpochs > 0, let continueWith { line += "; continue with \(continueWith)" }
        // Every rank of an MPI run stops at the same step (RunInterruption.agreed); rank 0 says so.
        if DataParallel.group.rank == 0 { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        throw ExitCode(interrupted.exitCode)
    } catch let interrupted as PlanStepInterrupted {
        FileHandle.standardError.write(Data("\(tool): \(interrupted)\n".utf8))
        throw ExitCode(interrupted.interrupted.exitCode)
    }
}

/// "models/teacher.h5" -> "models/teacher-resumed.h5": a resumed run never writes over its input.
func resumedName(_ output: String) -> String {
    (output as NSString).deletingPathExtension + "-resumed.h5"
}
