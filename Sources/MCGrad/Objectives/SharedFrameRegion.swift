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
/// MCGrad creates the file (mode 0600, without a name where Linux allows
/// it), offers a path to it in the handshake, and closes that path (or
/// removes the name) as soon as the handshake is over, whatever the command
/// answered: the mapping lives on in both processes and nothing is left
/// behind however either of them ends. Only on little-endian machines,
/// where the frame's bytes are the numbers' own.
final class SharedFrameRegion {
  /// The path the command opens while the region has one: `/proc/PID/fd/N`
  /// of an unnamed file, or a name in `/dev/shm`.
  let path: String
  /// Its size in bytes.
  let capacity: Int
  private let base: UnsafeMutableRawPointer
  /// The unnamed file's descriptor, which its path needs open; -1 when named.
  private var unnamed: Int32
  private var named: Bool

  /// Linux's O_TMPFILE (`__O_TMPFILE | O_DIRECTORY`), a macro Swift does not import.
  private static let temporaryFile: Int32 = 0o20000000 | O_DIRECTORY

  /// The region for frames of up to `points` points of dimension `dimension`
  /// with gradients, at most `limit` bytes; nil where there is no `/dev/shm`
  /// or it cannot be created (the pipes then carry every frame).
  ///
  /// The file has no name (O_TMPFILE) where the kernel allows it: the command
  /// opens it by its descriptor's `/proc` path, and nothing is left in
  /// `/dev/shm` even when MCGrad is killed (SIGKILL included) during the
  /// handshake. Elsewhere it is a named file, removed once the handshake is over.
  init?(points: Int, dimension: Int, limit: Int = 256 << 20) {
    #if _endian(little) && os(Linux)
      let (bytes, overflow) = (2 * dimension + 1).multipliedReportingOverflow(by: 8 * points)
      guard !overflow, bytes > 0 else { return nil }
      capacity = min(bytes, limit)
      var name = ""
      var fd = open("/dev/shm", Self.temporaryFile | O_RDWR | O_CLOEXEC, 0o600)
      let isNamed = fd < 0
      if !isNamed {
        name = "/proc/\(getpid())/fd/\(fd)"
      } else {
        for _ in 0..<4 {
          name = "/dev/shm/mcgrad-objective-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
          fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
          if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { return nil }
      }
      guard ftruncate(fd, off_t(capacity)) == 0,
        let mapped = mmap(nil, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED
      else {
        if isNamed { unlink(name) }
        close(fd)
        return nil
      }
      if isNamed { close(fd) }
      path = name
      base = mapped
      named = isNamed
      unnamed = isNamed ? -1 : fd
    #else
      return nil
    #endif
  }

  deinit {
    removeName()
    munmap(base, capacity)
  }

  /// Removes the file's name, or closes the unnamed file's descriptor (its
  /// path then leads nowhere); the mapping stays.
  func removeName() {
    if named {
      named = false
      unlink(path)
    }
    if unnamed >= 0 {
      close(unnamed)
      unnamed = -1
    }
  }

  /// Whether a frame of `count` points, with gradients or not, fits.
  func fits(count: Int, dimension d: Int, gradients: Bool) -> Bool {
    let (bytes, overflow) = (1 + d + (gradients ? d : 0)).multipliedReportingOverflow(by: 8 * count)
    return !overflow && bytes <= capacity
  }

  /// Copies `entries` into the region from entry `entry` (8 bytes each) on.
  func store(_ entries: UnsafeBufferPointer<Double>, at entry: Int) {
    guard let source = entries.baseAddress else { return }
    (base + 8 * entry).copyMemory(from: source, byteCount: 8 * entries.count)
  }

  /// Fills `entries` from the region's entries from `entry` on.
  func load(into entries: UnsafeMutableBufferPointer<Double>, at entry: Int) {
    guard let target = entries.baseAddress else { return }
    UnsafeMutableRawPointer(target).copyMemory(from: base + 8 * entry, byteCount: 8 * entries.count)
  }
}
