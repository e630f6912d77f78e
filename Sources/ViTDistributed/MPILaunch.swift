import CMPI
import Foundation
import ViTCore

/// Starts and ends MPI for a vitc tool launched by `mpirun -np N`; without mpirun it does
/// nothing, and the tool runs as one process exactly as before (MPI_Init is never called).
///
///     ProcessSetup.configure(); MPILaunch.start(); TrainCommand.main(); MPILaunch.finish()
///
/// A rank that stops early (an error thrown on one rank: its input, its disk) ends the whole
/// job with MPI_Abort, so the others do not wait for it in an all-reduce forever; a rank that
/// is killed makes mpirun end the job. Rank 0 alone writes files (Checkpoint.save) and prints:
/// the other ranks' standard output goes to /dev/null, their errors still show.
public enum MPILaunch {
    nonisolated(unsafe) private static var running = false

    /// Whether mpirun (Open MPI's launcher) started this process: it sets OMPI_COMM_WORLD_SIZE.
    public static var isUnderMPIRun: Bool {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil
    }

    public static func start() {
        guard isUnderMPIRun, !running else { return }
        var provided: Int32 = 0
        MPI_Init_thread(nil, nil, vitc_mpi_thread_funneled(), &provided)
        running = true
        let group = MPIProcessGroup()
        DataParallel.group = group
        // Whatever ends the process before finish() (ArgumentParser's exit after an error, any
        // exit()) takes the job down with it instead of leaving the other ranks waiting.
        atexit {
            guard MPILaunch.running else { return }
            MPI_Abort(vitc_mpi_comm_world(), 1)
        }
        if group.rank != 0 { _ = freopen("/dev/null", "w", stdout) }
    }

    /// After the command returned normally on this rank: waits for the others, then MPI_Finalize.
    public static func finish() {
        guard running else { return }
        fflush(stdout)
        MPI_Barrier(vitc_mpi_comm_world())
        MPI_Finalize()
        running = false
    }
}
