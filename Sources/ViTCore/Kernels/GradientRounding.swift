// A linear layer's output gradient as its bf16 backward reads it: dy rounded to bf16 once for
// both products (dx = dy W, dW = dy^T x), and its column sums (the bias gradient) added in the
// same pass. Separately these were three passes over dy (round, column sums, and for fc1 the
// GELU backward's dy * derivative before them); fused they are one read.
//
// Bit-identical to the separate passes: each value is the same f32 product, rounded the same
// way, and the column sums use `addColumnSums`'s split of rows between workers and its order.

/// What dy is multiplied by before it is rounded: another matrix of its shape (GELU's derivative),
/// or one factor per row (a drop-path mask, one value per sample, repeated over its tokens).
enum GradientFactors {
    case elements(UnsafePointer<Float>)
    case rows(UnsafePointer<Float>)

    func offset(row: Int, columns: Int) -> GradientFactors {
        switch self {
        case .elements(let values): return .elements(values + row * columns)
        case .rows(let values): return .rows(values + row)
        }
    }
}

/// rounded = bf16(dy * factors) (factors nil: bf16(dy)) for a row-major [rows, columns] dy, and
/// sums[j] += sum_i dy[i, j] * factors[i, j] when `sums` is given; both cores.
func roundGradient(_ dy: UnsafePointer<Float>, times factors: GradientFactors?, rows: Int, columns: Int,
                   into rounded: UnsafeMutablePointer<UInt16>, addingColumnSumsTo sums: UnsafeMutablePointer<Float>?) {
    guard let sums else {
        if case .elements(let factors) = factors {
            parallelRanges(rows * columns, minimumPerWorker: 1 << 16) { range in
                let i = range.lowerBound
                roundedProductKernel(dy + i, factors + i, rounded + i, range.count)
            }
        } else if factors == nil {
            convertToBFloat16(dy, rounded, count: rows * columns)
        } else {
            parallelRanges(rows, minimumPerWorker: max(1, (1 << 16) / max(1, columns))) { range in
                let offset = range.lowerBound * columns
                roundGradientRowsKernel(dy + offset, factors!.offset(row: range.lowerBound, columns: columns),
                                        rounded + offset, nil, rows: range.count, columns: columns)
            }
        }
        return
    }
    let workers = rows * columns >= 1 << 16 ? workerCount : 1
    var partial = [Float](repeating: 0, count: workers * columns)
    partial.withUnsafeMutableBufferPointer { scratch in
        let chunk = (rows + workers - 1) / workers
        parallelWorkers(workers) { worker in
            let first = worker * chunk, count = max(0, min(rows, first + chunk) - first)
            let offset = first * columns
            roundGradientRowsKernel(dy + offset, factors?.offset(row: first, columns: columns), rounded + offset,
                                    scratch.baseAddress! + worker * columns, rows: count, columns: columns)
        }
        for worker in 0..<workers {
            for j in 0..<columns { sums[j] += scratch[worker * columns + j] }
        }
    }
}

@inline(never)
func roundedProductKernel(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ rounded: UnsafeMutablePointer<UInt16>,
                          _ count: Int) {
    for i in 0..<count { rounded[i] = roundedToBFloat16(a[i] * b[i]) }
}

/// Rounds `rows` rows of dy times their factors and, when `sums` is given, adds their column sums.
@inline(never)
func roundGradientRowsKernel(_ dy: UnsafePointer<Float>, _ factors: GradientFactors?,
                             _ rounded: UnsafeMutablePointer<UInt16>, _ sums: UnsafeMutablePointer<Float>?,
                             rows: Int, columns: Int) {
    for i in 0..<rows {
        let row = dy + i * columns, target = rounded + i * columns
        switch factors {
        case .elements(let factors):
            let factorRow = factors + i * columns
            if let sums {
                for j in 0..<columns {
                    let value = row[j] * factorRow[j]
                    target[j] = roundedToBFloat16(value)
                    sums[j] += value
                }
            } else {
                for j in 0..<columns { target[j] = roundedToBFloat16(row[j] * factorRow[j]) }
            }
        case .rows(let factors):
            let factor = factors[i]
            if let sums {
                for j in 0..<columns {
                    let value = row[j] * factor
                    target[j] = roundedToBFloat16(value)
                    sums[j] += value
                }
            } else {
                for j in 0..<columns { target[j] = roundedToBFloat16(row[j] * factor) }
            }
        case nil:
            if let sums {
                for j in 0..<columns {
                    let value = row[j]
                    target[j] = roundedToBFloat16(value)
                    sums[j] += value
                }
            } else {
                for j in 0..<columns { target[j] = roundedToBFloat16(row[j]) }
            }
        }
    }
}
