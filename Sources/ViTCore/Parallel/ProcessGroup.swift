import Foundation

/// The processes of a data-parallel run (MPI's ranks; ViTDistributed provides them). ViTCore
/// sees only this protocol, so the library builds and runs without MPI: one process is the
/// group of one, and then nothing is split and nothing is reduced.
public protocol ProcessGroup: AnyObject {
    /// This process's place, 0..<size; rank 0 writes the files and prints.
    var rank: Int { get }
    var size: Int { get }
    /// Adds `values` element-wise over every process and leaves the sums in every process.
    func sum(_ values: inout [Float])
    func sum(_ values: inout [Double])
}

/// A run on one process: the default.
public final class SingleProcess: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func sum(_ values: inout [Float]) {}
    public func sum(_ values: inout [Double]) {}
}

/// The process group of this run and the time spent reducing over it.
public enum DataParallel {
    /// Set once at start-up (ViTDistributed under mpirun), before any training; every training
    /// step and evaluation reads it. A process-wide value, like MPI_COMM_WORLD itself.
    nonisolated(unsafe) public static var group: ProcessGroup = SingleProcess()

    /// Seconds spent in gradient all-reduces since start (the training steps add to it), so the
    /// epoch line can give the all-reduce's share of step time.
    nonisolated(unsafe) public static var reduceSeconds: Double = 0

    /// The rows of a global batch of `count` that this process trains on (see `BatchRows.share`).
    public static func rows(of count: Int) -> BatchRows {
        BatchRows.share(of: count, rank: group.rank, ranks: group.size)
    }
}
