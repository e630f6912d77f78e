import CMPI
import ViTCore

/// MPI_COMM_WORLD as a `ProcessGroup`. Made by `MPILaunch.start()` after MPI_Init; every call
/// comes from the main thread (MPI_THREAD_FUNNELED). MPI's default error handler ends the whole
/// job on a communication failure, so the sums do not throw.
final class MPIProcessGroup: ProcessGroup {
    let rank: Int
    let size: Int

    init() {
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(vitc_mpi_comm_world(), &rank)
        MPI_Comm_size(vitc_mpi_comm_world(), &size)
        self.rank = Int(rank)
        self.size = Int(size)
    }

    func sum(_ values: inout [Float]) { allReduce(&values, type: vitc_mpi_float()) }
    func sum(_ values: inout [Double]) { allReduce(&values, type: vitc_mpi_double()) }

    /// In place, in pieces of under 2^31 values (MPI counts are Int32).
    private func allReduce<Value>(_ values: inout [Value], type: MPI_Datatype) {
        let piece = Int(Int32.max)
        values.withUnsafeMutableBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                let count = min(piece, buffer.count - start)
                MPI_Allreduce(vitc_mpi_in_place(), buffer.baseAddress! + start, Int32(count), type, vitc_mpi_sum(),
                              vitc_mpi_comm_world())
                start += count
            }
        }
    }
}
