/// Maximum-weight assignment: give each row at most one column and each column at most one
/// row so that the sum of the chosen weights is as large as possible.
///
/// Solved exactly by the Hungarian method in its shortest-augmenting-path form (Kuhn 1955;
/// Munkres 1957; the O(n²m) variant with row and column potentials, as in Jonker &
/// Volgenant 1987), on costs −weight. Every row also gets its own zero-cost "idle" column, so
/// leaving a row unassigned is always allowed and a forbidden pair is never chosen.
enum Assignment {
    /// Solves the problem.
    ///
    /// - Parameters:
    ///   - rows: how many rows (slots).
    ///   - columns: how many columns (candidates).
    ///   - weight: the weight of a pair, or `nil` when the pair is forbidden; weights ≥ 0.
    /// - Returns: for each row, its column, or `nil` when the row is left idle.
    static func maximumWeight(rows: Int, columns: Int, weight: (Int, Int) -> Double?) -> [Int?] {
        guard rows > 0, columns > 0 else { return [Int?](repeating: nil, count: rows) }
        let width = columns + rows  // real columns, then one idle column per row
        let forbidden = Double.greatestFiniteMagnitude / 4
        // Cost matrix, 1-based rows and columns as in the classic formulation.
        var cost = [Double](repeating: forbidden, count: (rows + 1) * (width + 1))
        for row in 0..<rows {
            let base = (row + 1) * (width + 1)
            for column in 0..<columns {
                if let value = weight(row, column) { cost[base + column + 1] = -value }
            }
            for idle in 0..<rows { cost[base + columns + idle + 1] = 0 }
        }
        var u = [Double](repeating: 0, count: rows + 1)
        var v = [Double](repeating: 0, count: width + 1)
        var owner = [Int](repeating: 0, count: width + 1)  // row (1-based) holding each column; 0 = free
        var way = [Int](repeating: 0, count: width + 1)
        var minimum = [Double](repeating: 0, count: width + 1)
        var used = [Bool](repeating: false, count: width + 1)
        cost.withUnsafeBufferPointer { cost in
            for row in 1...rows {
                owner[0] = row
                var column0 = 0
                for index in 0...width { minimum[index] = .infinity; used[index] = false }
                repeat {
                    used[column0] = true
                    let row0 = owner[column0]
                    var delta = Double.infinity
                    var column1 = 0
                    let base = row0 * (width + 1)
                    let u0 = u[row0]
                    for column in 1...width where !used[column] {
                        let reduced = cost[base + column] - u0 - v[column]
                        if reduced < minimum[column] {
                            minimum[column] = reduced
                            way[column] = column0
                        }
                        if minimum[column] < delta {
                            delta = minimum[column]
                            column1 = column
                        }
                    }
                    for column in 0...width {
                        if used[column] {
                            u[owner[column]] += delta
                            v[column] -= delta
                        } else {
                            minimum[column] -= delta
                        }
                    }
                    column0 = column1
                } while owner[column0] != 0
                repeat {
                    let column1 = way[column0]
                    owner[column0] = owner[column1]
                    column0 = column1
                } while column0 != 0
            }
        }
        var result = [Int?](repeating: nil, count: rows)
        for column in 1...columns where owner[column] != 0 {
            result[owner[column] - 1] = column - 1
        }
        return result
    }

    /// Maximum-weight assignment when a column's weight does not depend on its row (a
    /// request worth the same in every slot it fits): the sets of columns that can all get
    /// distinct rows form a transversal matroid, so taking columns heaviest first whenever an
    /// augmenting path still places them is optimal (Edmonds 1971; Lawler, *Combinatorial
    /// Optimization*, ch. 8). Each placement is Kuhn's augmenting-path search; after a failed
    /// search the matching is unchanged, so the rows it visited stay dead ends until the next
    /// success and are not searched again.
    ///
    /// - Parameters:
    ///   - rows: how many rows (slots).
    ///   - weights: each column's weight (≥ 0).
    ///   - allowedRows: for each column, the rows it may take.
    /// - Returns: for each row, its column, or `nil` when the row is left idle.
    static func maximumWeightTransversal(rows: Int, weights: [Double], allowedRows: [[Int]]) -> [Int?] {
        var owner = [Int?](repeating: nil, count: rows)
        var visited = [Bool](repeating: false, count: rows)
        func augment(_ column: Int) -> Bool {
            for row in allowedRows[column] where !visited[row] {
                visited[row] = true
                if owner[row] == nil || augment(owner[row]!) {
                    owner[row] = column
                    return true
                }
            }
            return false
        }
        let order = weights.indices.sorted { (weights[$0], -$0) > (weights[$1], -$1) }
        for column in order where weights[column] > 0 && !allowedRows[column].isEmpty {
            if augment(column) {
                for row in 0..<rows { visited[row] = false }
            }
        }
        return owner
    }
}
