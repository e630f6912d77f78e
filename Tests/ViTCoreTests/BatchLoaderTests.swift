import XCTest
@testable import ViTCore

final class BatchLoaderTests: XCTestCase {
    private let images = syntheticImages(labels: cyclingLabels(50), seed: 21)

    private func loader(seed: UInt64 = 7, augmentation: Augmentation = .cropFlip, dropLast: Bool = true) -> BatchLoader {
        BatchLoader(images: images, batchSize: 8, augmentation: augmentation, normalization: .cifar10,
                    shuffle: true, dropLast: dropLast, seed: seed)
    }

    /// Every batch of one epoch, pixels and labels.
    private func run(_ loader: BatchLoader, epoch: Int) -> [(Tensor, [Int32])] {
        var pixels = Tensor(zeros: [0]), labels = [Int32]()
        return loader.epoch(epoch).map { indices in
            loader.makeBatch(indices: indices, epoch: epoch, into: &pixels, labels: &labels)
            return (pixels, labels)
        }
    }

    func testSameSeedGivesSameBatches() {
        let a = run(loader(), epoch: 0), b = run(loader(), epoch: 0)
        XCTAssertEqual(a.map(\.0), b.map(\.0))
        XCTAssertEqual(a.map(\.1), b.map(\.1))
        XCTAssertNotEqual(run(loader(seed: 8), epoch: 0).map(\.0), a.map(\.0))
    }

    func testEpochDependsOnlyOnSeedAndEpoch() {
        // A resumed run computes epoch 3 directly; an unbroken run gets there after 0, 1 and 2.
        let resumed = loader(), unbroken = loader()
        for epoch in 0..<3 { _ = run(unbroken, epoch: epoch) }
        XCTAssertEqual(unbroken.epoch(3), resumed.epoch(3))
        XCTAssertEqual(run(unbroken, epoch: 3).map(\.0), run(resumed, epoch: 3).map(\.0))
        XCTAssertNotEqual(resumed.epoch(3), resumed.epoch(4))
    }

    func testEachEpochVisitsEveryIndexOnce() {
        let keepAll = loader(dropLast: false)
        XCTAssertEqual(keepAll.batchesPerEpoch, 7)
        XCTAssertEqual(keepAll.epoch(2).flatMap { $0 }.sorted(), Array(0..<50))
        let dropping = loader()
        XCTAssertEqual(dropping.batchesPerEpoch, 6)
        XCTAssertEqual(Set(dropping.epoch(2).flatMap { $0 }).count, 48)
    }

    func testBatchHoldsTheChosenImagesAndLabels() {
        let plain = loader(augmentation: .none)
        let indices = [5, 0, 49]
        var pixels = Tensor(zeros: [0]), labels = [Int32]()
        plain.makeBatch(indices: indices, epoch: 0, into: &pixels, labels: &labels)
        XCTAssertEqual(pixels.shape, [3, 3, 32, 32])
        XCTAssertEqual(labels, [5, 0, 9])
        for (b, i) in indices.enumerated() { for k in 0..<3072 {
            XCTAssertEqual(pixels.data[b * 3072 + k],
                           ChannelNormalization.cifar10.normalize(images.pixels[i * 3072 + k], channel: k / 1024))
        } }
    }

    func testAugmentationIsPerImageNotPerPosition() {
        // An image gets the same draw whichever batch slot (and so whichever thread) handles it.
        let l = loader()
        var first = Tensor(zeros: [0]), second = Tensor(zeros: [0]), labels = [Int32]()
        l.makeBatch(indices: [1, 2, 3, 4], epoch: 5, into: &first, labels: &labels)
        l.makeBatch(indices: [4, 3, 2, 1], epoch: 5, into: &second, labels: &labels)
        XCTAssertEqual(Array(first.data[0..<3072]), Array(second.data[3 * 3072 ..< 4 * 3072]))
    }

    private func loader(_ settings: AugmentationSettings, augmentation: Augmentation = .cropFlip) -> BatchLoader {
        BatchLoader(images: images, batchSize: 8, augmentation: augmentation, normalization: .cifar10,
                    shuffle: true, dropLast: true, seed: 7, settings: settings)
    }

    private func batch(_ loader: BatchLoader, _ indices: [Int], epoch: Int = 0, step: Int = 0)
        -> (pixels: Tensor, labels: [Int32], mixed: MixedTargets?) {
        var pixels = Tensor(zeros: [0]), labels = [Int32]()
        let mixed = loader.makeBatch(indices: indices, epoch: epoch, step: step, into: &pixels, labels: &labels)
        return (pixels, labels, mixed)
    }

    func testDefaultSettingsChangeNothingAndDoNotMix() {
        let plain = batch(loader(), [3, 9, 27]), explicit = batch(loader(.none), [3, 9, 27])
        XCTAssertNil(plain.mixed)
        XCTAssertEqual(plain.pixels, explicit.pixels)
        var pixels = Tensor(zeros: [0]), labels = [Int32]()
        loader().makeBatch(indices: [3, 9, 27], epoch: 0, into: &pixels, labels: &labels)
        XCTAssertEqual(pixels, plain.pixels)
    }

    func testPolicyIsAFunctionOfSeedEpochAndImageNotOfBatchSlot() {
        let policy = loader(AugmentationSettings(policy: .trivialAugment), augmentation: .none)
        let a = batch(policy, [1, 2, 3, 4], epoch: 2), b = batch(policy, [4, 3, 2, 1], epoch: 2)
        XCTAssertEqual(Array(a.pixels.data[0..<3072]), Array(b.pixels.data[3 * 3072 ..< 4 * 3072]))
        XCTAssertNotEqual(a.pixels, batch(policy, [1, 2, 3, 4], epoch: 3).pixels)
    }

    func testRandomErasingZeroesOneBoxPerImageAfterNormalisation() {
        let erasing = loader(AugmentationSettings(randomErasing: 1), augmentation: .none)
        let plain = batch(loader(augmentation: .none), [0, 1, 2]).pixels, erased = batch(erasing, [0, 1, 2]).pixels
        for b in 0..<3 {
            var zeroed = 0
            for k in b * 3072 ..< (b + 1) * 3072 where erased.data[k] != plain.data[k] {
                XCTAssertEqual(erased.data[k], 0)
                zeroed += 1
            }
            XCTAssertGreaterThan(zeroed, 0, "image \(b)")
        }
    }

    func testMixupBatchIsTheBlendWithItsReverseAndADrawOfEpochAndStep() {
        let mixing = loader(AugmentationSettings(mixup: 0.8), augmentation: .none)
        let indices = [0, 11, 22, 33]
        let plain = batch(loader(augmentation: .none), indices), mixed = batch(mixing, indices, epoch: 1, step: 5)
        let targets = try! XCTUnwrap(mixed.mixed)
        XCTAssertEqual(targets.labels, [0, 1, 2, 3])
        XCTAssertEqual(targets.partners, [3, 2, 1, 0])
        let lambda = targets.lambda
        for b in 0..<4 { for k in 0..<3072 {
            let expected = lambda * plain.pixels.data[b * 3072 + k] + (1 - lambda) * plain.pixels.data[(3 - b) * 3072 + k]
            XCTAssertEqual(mixed.pixels.data[b * 3072 + k], expected, accuracy: 1e-5)
        } }
        XCTAssertEqual(batch(mixing, indices, epoch: 1, step: 5).mixed, targets)
        XCTAssertNotEqual(batch(mixing, indices, epoch: 1, step: 6).mixed?.lambda, lambda)
    }

    func testMixingStopsAtTheMixOffEpoch() {
        let mixing = loader(AugmentationSettings(mixup: 0.8, cutmix: 1, mixOffEpoch: 2))
        XCTAssertNotNil(batch(mixing, [0, 1], epoch: 1).mixed)
        let late = batch(mixing, [0, 1], epoch: 2)
        XCTAssertNil(late.mixed)
        XCTAssertEqual(late.pixels, batch(loader(), [0, 1], epoch: 2).pixels)
    }

    func testEvaluationYieldsTheSetInOrderWithAShortLastBatch() {
        let evaluation = BatchLoader.evaluation(images: images, batchSize: 16, normalization: .cifar10)
        let batches = evaluation.epoch(0)
        XCTAssertEqual(batches.map(\.count), [16, 16, 16, 2])
        XCTAssertEqual(batches.flatMap { $0 }, Array(0..<50))
        XCTAssertEqual(evaluation.epoch(1), batches)
    }
}
