// swift-tools-version:5.9
import PackageDescription

// Release builds (-O, whole-module) keep every safety check: a precondition that fails stops
// the program in release as in debug. The hot loops work on unsafe buffers whose sizes are
// checked once at the layer boundary, so bounds checks cost little. They target AVX2 (with
// FMA), which every x86-64 server since 2013 has: the default target (SSE2) halves the vector
// width. What needs more than AVX2 (bf16, VNNI) is chosen at run time by oneDNN.
let fastMath: [SwiftSetting] = [.unsafeFlags(["-wmo", "-target-cpu", "haswell"], .when(configuration: .release))]

let package = Package(
    name: "vitc",
    products: [
        .library(name: "ViTCore", targets: ["ViTCore"]),
        .library(name: "ViTStore", targets: ["ViTStore"]),
        .library(name: "ViTReports", targets: ["ViTReports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Open MPI (Debian's libopenmpi-dev): pkg-config's ompi gives the include and library
        // paths (mpi.h is under /usr/lib/x86_64-linux-gnu/openmpi/include).
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .target(name: "ViTCore", dependencies: ["CDNNL"], swiftSettings: fastMath),
        .target(name: "ViTStore", dependencies: ["ViTCore", "CHDF5"], swiftSettings: fastMath),
        .target(name: "ViTDistributed", dependencies: ["ViTCore", "CMPI"], swiftSettings: fastMath),
        .target(name: "ViTReports", dependencies: ["ViTCore", "ViTStore"], swiftSettings: fastMath),
        // The stages as library calls (train, distill, prune, quantize, evaluate, report) and
        // what they need: training runs, ONNX export, TensorBoard events, the data download.
        .target(name: "ViTStages",
                dependencies: ["ViTCore", "ViTStore", "ViTReports", "CMalloc", "CZlib",
                               .product(name: "SwiftProtobuf", package: "swift-protobuf")],
                exclude: ["ONNX/onnx-subset.proto", "TensorBoard/tensorboard-events.proto"],
                swiftSettings: fastMath),
        // Only commands and their option groups: flags in, a typed configuration to a stage out.
        .target(name: "ViTCommands",
                dependencies: ["ViTCore", "ViTStore", "ViTReports", "ViTStages",
                               .product(name: "ArgumentParser", package: "swift-argument-parser")],
                swiftSettings: fastMath),
        .executableTarget(name: "vit-train", dependencies: ["ViTCommands", "ViTStages", "ViTDistributed"], swiftSettings: fastMath),
        .executableTarget(name: "vit-eval", dependencies: ["ViTCommands", "ViTStages"], swiftSettings: fastMath),
        .executableTarget(name: "vit-bench", dependencies: ["ViTCommands", "ViTStages"], swiftSettings: fastMath),
        .executableTarget(name: "vit-distill", dependencies: ["ViTCommands", "ViTStages", "ViTDistributed"], swiftSettings: fastMath),
        .executableTarget(name: "vit-prune", dependencies: ["ViTCommands", "ViTStages", "ViTDistributed"], swiftSettings: fastMath),
        .executableTarget(name: "vit-quantize", dependencies: ["ViTCommands", "ViTStages"], swiftSettings: fastMath),
        .executableTarget(name: "vit-report", dependencies: ["ViTCommands", "ViTStages"], swiftSettings: fastMath),
        .executableTarget(name: "vit-pretrain", dependencies: ["ViTCommands", "ViTStages", "ViTDistributed"], swiftSettings: fastMath),
        .executableTarget(name: "vit-pipeline", dependencies: ["ViTCommands", "ViTStages"], swiftSettings: fastMath),
        .executableTarget(name: "vit-data", dependencies: ["ViTCommands", "ViTStages"], swiftSettings: fastMath),
        .executableTarget(name: "vit-import", dependencies: ["ViTCommands", "ViTStages"], swiftSettings: fastMath),
        .executableTarget(name: "vit-export", dependencies: ["ViTCommands", "ViTStages"], swiftSettings: fastMath),
        .testTarget(name: "ViTCoreTests", dependencies: ["ViTCore"]),
        .testTarget(name: "ViTStoreTests", dependencies: ["ViTStore", "ViTCore"]),
        .testTarget(name: "ViTReportsTests", dependencies: ["ViTReports"]),
        // Runs the built tools under mpirun; it does not link MPI itself (see MPILaunchTests).
        .testTarget(name: "ViTDistributedTests", dependencies: ["ViTStore", "ViTCore"]),
        .testTarget(name: "ViTStagesTests", dependencies: ["ViTStages", "ViTStore", "ViTCore"]),
        .testTarget(name: "ViTCommandsTests",
                    dependencies: ["ViTCommands", "ViTStages", "ViTReports", "ViTStore", "ViTCore"]),
    ],
    swiftLanguageVersions: [.v5]
)
