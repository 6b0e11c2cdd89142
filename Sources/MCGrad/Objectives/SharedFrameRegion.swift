#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file in `/dev/shm` that MCGrad and an objective command both map, so
/// that a frame's points, values and gradients cross without going through
/// the pipes (docs/objective-protocol.md, "Shared memory").
///
/// MCGrad creates the file (mode 0600, a name no other process chose), offers
/// its path in the handshake, and removes the name as soon as the handshake is
/// over, whatever the command answered: the mapping lives on in both processes
/// and nothing is left behind however either of them ends. Only on
/// little-endian machines, where the frame's bytes are the numbers' own.
final class SharedFrameRegion {
  /// The file's path while it has one.
  let path: String
  /// Its size in bytes.
  let capacity: Int
  private let base: UnsafeMutableRawPointer
  private var named = true

  /// The region for frames of up to `points` points of dimension `dimension`
  /// with gradients, at most `limit` bytes; nil where there is no `/dev/shm`
  /// or it cannot be created (the pipes then carry every frame).
  init?(points: Int, dimension: Int, limit: Int = 256 << 20) {
    #if _endian(little) && os(Linux)
      let (bytes, overflow) = (2 * dimension + 1).multipliedReportingOverflow(by: 8 * points)
      guard !overflow, bytes > 0 else { return nil }
      capacity = min(bytes, limit)
      var name = ""
      var fd: Int32 = -1
      for _ in 0..<4 {
        name = "/dev/shm/mcgrad-objective-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
        fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 || errno != EEXIST { break }
      }
      guard fd >= 0 else { return nil }
      defer { close(fd) }
      guard ftruncate(fd, off_t(capacity)) == 0,
        let mapped = mmap(nil, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED
      else {
        unlink(name)
        return nil
      }
      path = name
      base = mapped
    #else
      return nil
    #endif
  }

  deinit {
    removeName()
    munmap(base, capacity)
  }

  /// Removes the file's name; the mapping stays.
  func removeName() {
    guard named else { return }
    named = false
    unlink(path)
  }

  /// Whether a frame of `count` points, with gradients or not, fits.
  func fits(count: Int, dimension d: Int, gradients: Bool) -> Bool {
    let (bytes, overflow) = (1 + d + (gradients ? d : 0)).multipliedReportingOverflow(by: 8 * count)
    return !overflow && bytes <= capacity
  }

  /// Copies the points to the start of the region.
  func store(_ points: UnsafeBufferPointer<Double>) {
    base.copyMemory(from: points.baseAddress!, byteCount: points.count * 8)
  }

  /// Copies a reply out: `values.count` values after the `pointEntries`
  /// coordinates of the points, then the gradients after the values.
  func load(
    values: UnsafeMutableBufferPointer<Double>, gradients: UnsafeMutableBufferPointer<Double>?, after pointEntries: Int
  ) {
    let valueStart = base + 8 * pointEntries
    UnsafeMutableRawPointer(values.baseAddress!).copyMemory(from: valueStart, byteCount: 8 * values.count)
    if let gradients, let target = gradients.baseAddress {
      UnsafeMutableRawPointer(target).copyMemory(from: valueStart + 8 * values.count, byteCount: 8 * gradients.count)
    }
  }
}
