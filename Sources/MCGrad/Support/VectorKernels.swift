/// Element-wise loops over contiguous rows, written in `SIMD8` chunks with a
/// scalar tail.
///
/// The estimators' buffers come from one allocation, so the compiler cannot
/// prove that an output row does not overlap an input and leaves the plain
/// loops scalar. Written in chunks, each loop loads a chunk of every input
/// before it stores the output chunk; that is correct when an output is one
/// of the inputs (the same index) and runs 4–8 lanes per instruction. Every
/// lane computes what the scalar loop would, in the same order, so results
/// are the same bits.
@usableFromInline
typealias VectorScalar = BinaryFloatingPoint & SIMDScalar & Sendable

extension UnsafePointer where Pointee: SIMDScalar {
  /// The 8 elements from `offset` on, at any alignment.
  @inlinable @inline(__always)
  func chunk(at offset: Int) -> SIMD8<Pointee> {
    UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD8<Pointee>.self)
  }
}

extension UnsafeMutablePointer where Pointee: SIMDScalar {
  /// The 8 elements from `offset` on, at any alignment.
  @inlinable @inline(__always)
  func chunk(at offset: Int) -> SIMD8<Pointee> {
    UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD8<Pointee>.self)
  }

  /// Stores `value` into the 8 elements from `offset` on, at any alignment.
  @inlinable @inline(__always)
  func setChunk(_ value: SIMD8<Pointee>, at offset: Int) {
    UnsafeMutableRawPointer(self + offset).storeBytes(of: value, as: SIMD8<Pointee>.self)
  }
}

/// outᵢ = µᵢ + σᵢ εᵢ for i < count; `out` may be `noise`.
@inlinable @inline(__always)
func shift<Scalar: VectorScalar>(
  _ out: UnsafeMutablePointer<Scalar>, mean: UnsafeMutablePointer<Scalar>, std: UnsafeMutablePointer<Scalar>,
  noise: UnsafeMutablePointer<Scalar>, count: Int
) {
  var i = 0
  while i &+ 8 <= count {
    out.setChunk(mean.chunk(at: i) + std.chunk(at: i) * noise.chunk(at: i), at: i)
    i &+= 8
  }
  while i < count {
    out[i] = mean[i] + std[i] * noise[i]
    i &+= 1
  }
}

/// The antithetic pair µ ± σ ⊙ ε: plusᵢ = µᵢ + σᵢεᵢ, minusᵢ = µᵢ − σᵢεᵢ.
@inlinable @inline(__always)
func antitheticShift<Scalar: VectorScalar>(
  plus: UnsafeMutablePointer<Scalar>, minus: UnsafeMutablePointer<Scalar>, mean: UnsafeMutablePointer<Scalar>,
  std: UnsafeMutablePointer<Scalar>, noise: UnsafeMutablePointer<Scalar>, count: Int
) {
  var i = 0
  while i &+ 8 <= count {
    let mu = mean.chunk(at: i), step = std.chunk(at: i) * noise.chunk(at: i)
    plus.setChunk(mu + step, at: i)
    minus.setChunk(mu - step, at: i)
    i &+= 8
  }
  while i < count {
    let step = std[i] * noise[i]
    plus[i] = mean[i] + step
    minus[i] = mean[i] - step
    i &+= 1
  }
}

/// outᵢ = c · xᵢ · yᵢ; `out` may be `x`.
@inlinable @inline(__always)
func product<Scalar: VectorScalar>(
  _ out: UnsafeMutablePointer<Scalar>, _ x: UnsafeMutablePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>,
  times c: Scalar = 1, count: Int
) {
  var i = 0
  while i &+ 8 <= count {
    out.setChunk(c * x.chunk(at: i) * y.chunk(at: i), at: i)
    i &+= 8
  }
  while i < count {
    out[i] = c * x[i] * y[i]
    i &+= 1
  }
}

/// outᵢ = c · (εᵢ² − 1) · rᵢ: with r = 1/σ, c times the score ∂ log p/∂σᵢ of
/// N(µ, diag σ²) at x = µ + σ ⊙ ε.
@inlinable @inline(__always)
func stdScore<Scalar: VectorScalar>(
  _ out: UnsafeMutablePointer<Scalar>, noise e: UnsafeMutablePointer<Scalar>,
  inverseStd r: UnsafeMutablePointer<Scalar>, times c: Scalar = 1, count: Int
) {
  var i = 0
  while i &+ 8 <= count {
    let x = e.chunk(at: i)
    out.setChunk(c * (x * x - 1) * r.chunk(at: i), at: i)
    i &+= 8
  }
  while i < count {
    out[i] = c * (e[i] * e[i] - 1) * r[i]
    i &+= 1
  }
}

/// xᵢ ← c · xᵢ.
@inlinable @inline(__always)
func scale<Scalar: VectorScalar>(_ x: UnsafeMutablePointer<Scalar>, by c: Scalar, count: Int) {
  var i = 0
  while i &+ 8 <= count {
    x.setChunk(c * x.chunk(at: i), at: i)
    i &+= 8
  }
  while i < count {
    x[i] *= c
    i &+= 1
  }
}

/// sumᵢ ← sumᵢ + xᵢ.
@inlinable @inline(__always)
func accumulate<Scalar: VectorScalar>(
  _ sum: UnsafeMutablePointer<Scalar>, adding x: UnsafeMutablePointer<Scalar>, count: Int
) {
  var i = 0
  while i &+ 8 <= count {
    sum.setChunk(sum.chunk(at: i) + x.chunk(at: i), at: i)
    i &+= 8
  }
  while i < count {
    sum[i] += x[i]
    i &+= 1
  }
}

/// sumᵢ ← sumᵢ + (xᵢ − mᵢ)².
@inlinable @inline(__always)
func accumulateSquaredDeviations<Scalar: VectorScalar>(
  _ sum: UnsafeMutablePointer<Scalar>, of x: UnsafeMutablePointer<Scalar>, from m: UnsafeMutablePointer<Scalar>,
  count: Int
) {
  var i = 0
  while i &+ 8 <= count {
    let e = x.chunk(at: i) - m.chunk(at: i)
    sum.setChunk(sum.chunk(at: i) + e * e, at: i)
    i &+= 8
  }
  while i < count {
    let e = x[i] - m[i]
    sum[i] += e * e
    i &+= 1
  }
}

/// With uᵢ = c·sᵢ + tᵢ (t = 0 when nil): sumᵢ ← sumᵢ + sᵢ and scaledSumᵢ ← scaledSumᵢ + uᵢ.
@inlinable @inline(__always)
func accumulate<Scalar: VectorScalar>(
  _ sum: UnsafeMutablePointer<Scalar>, _ scaledSum: UnsafeMutablePointer<Scalar>,
  adding s: UnsafeMutablePointer<Scalar>,
  scaledBy c: Scalar, plus t: UnsafeMutablePointer<Scalar>? = nil, count: Int
) {
  var i = 0
  if let t {
    while i &+ 8 <= count {
      let x = s.chunk(at: i)
      sum.setChunk(sum.chunk(at: i) + x, at: i)
      scaledSum.setChunk(scaledSum.chunk(at: i) + c * x + t.chunk(at: i), at: i)
      i &+= 8
    }
    while i < count {
      sum[i] += s[i]
      scaledSum[i] += c * s[i] + t[i]
      i &+= 1
    }
    return
  }
  while i &+ 8 <= count {
    let x = s.chunk(at: i)
    sum.setChunk(sum.chunk(at: i) + x, at: i)
    scaledSum.setChunk(scaledSum.chunk(at: i) + c * x, at: i)
    i &+= 8
  }
  while i < count {
    sum[i] += s[i]
    scaledSum[i] += c * s[i]
    i &+= 1
  }
}

/// With uᵢ = c·sᵢ + tᵢ (t = 0 when nil) and deviations a = s − s̄, b = u − ū:
/// adds a², b² and a·b to `squares`, `scaledSquares` and `products`.
@inlinable @inline(__always)
func accumulateDeviations<Scalar: VectorScalar>(
  squares: UnsafeMutablePointer<Scalar>, scaledSquares: UnsafeMutablePointer<Scalar>,
  products: UnsafeMutablePointer<Scalar>, of s: UnsafeMutablePointer<Scalar>, scaledBy c: Scalar,
  plus t: UnsafeMutablePointer<Scalar>? = nil,
  means: UnsafeMutablePointer<Scalar>, scaledMeans: UnsafeMutablePointer<Scalar>, count: Int
) {
  var i = 0
  if let t {
    while i &+ 8 <= count {
      let x = s.chunk(at: i)
      let a = x - means.chunk(at: i), b = c * x + t.chunk(at: i) - scaledMeans.chunk(at: i)
      squares.setChunk(squares.chunk(at: i) + a * a, at: i)
      scaledSquares.setChunk(scaledSquares.chunk(at: i) + b * b, at: i)
      products.setChunk(products.chunk(at: i) + a * b, at: i)
      i &+= 8
    }
    while i < count {
      let a = s[i] - means[i], b = c * s[i] + t[i] - scaledMeans[i]
      squares[i] += a * a
      scaledSquares[i] += b * b
      products[i] += a * b
      i &+= 1
    }
    return
  }
  while i &+ 8 <= count {
    let x = s.chunk(at: i)
    let a = x - means.chunk(at: i), b = c * x - scaledMeans.chunk(at: i)
    squares.setChunk(squares.chunk(at: i) + a * a, at: i)
    scaledSquares.setChunk(scaledSquares.chunk(at: i) + b * b, at: i)
    products.setChunk(products.chunk(at: i) + a * b, at: i)
    i &+= 8
  }
  while i < count {
    let a = s[i] - means[i], b = c * s[i] - scaledMeans[i]
    squares[i] += a * a
    scaledSquares[i] += b * b
    products[i] += a * b
    i &+= 1
  }
}
