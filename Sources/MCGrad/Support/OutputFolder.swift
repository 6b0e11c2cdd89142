#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The checks every door that makes an output folder shares (a study's
/// `ExperimentOutput`, `rl`'s `DirectoryLock`): a path the system cannot hold
/// is refused before any folder is made, and a folder that cannot be made
/// names what is in its way, where the system's own error does not.
public enum OutputFolder {
  /// Throws for a path with a name over 255 bytes, or over 4,095 bytes from
  /// `/` (the current folder included), before anything is made: Foundation
  /// made 20 folders of such a path before it failed, or 7 of a relative one
  /// within the bound as typed, with "error 518".
  ///
  /// Also throws for a path with a control character (a newline, a tab, an
  /// escape), a bidirectional control, a line separator or an invisible
  /// character (those `printableText` escapes): the folder is
  /// named in the lines a run prints, which such a name would break, colour,
  /// reorder or hide.
  public static func requireRepresentable(_ path: String) throws {
    if printableText(path) != path {
      throw MCGradError.invalidFile(
        path: printableText(path, limit: 80),
        reason: "has a control or invisible character in it (shown escaped): choose a name without one")
    }
    let shown = path.count > 80 ? String(path.prefix(80)) + "…" : path
    if let long = path.split(separator: "/").first(where: { $0.utf8.count > 255 }) {
      throw MCGradError.invalidFile(
        path: shown, reason: "has a name of \(long.utf8.count) bytes: at most 255 are allowed in a name")
    }
    let absolute = path.hasPrefix("/") ? path : currentFolder() + "/" + path
    if absolute.utf8.count > 4095 {
      throw MCGradError.invalidFile(
        path: shown,
        reason: "is \(absolute.utf8.count) bytes long from / (\(path.utf8.count) as given): at most 4,095 are allowed "
          + "in a path")
    }
  }

  /// What stands where `path`'s folders would go: the nearest existing entry
  /// on its path when that is a file, a link to a file, a link to nothing or
  /// a loop of links (Foundation said "File exists" for the links, and
  /// nothing for `--out afile/sub`); where it is a folder, the system's
  /// reason for making the next folder in it (made, for a failure that has
  /// passed, it is removed again). Nil where no reason is found.
  public static func obstacle(_ path: String) -> String? {
    var path = String(path.reversed().drop { $0 == "/" }.reversed())
    if path.isEmpty { return nil }
    var child = path
    var entry = stat()
    while lstat(path, &entry) != 0 {
      guard path != ".", path != "/" else { return nil }
      (child, path) = (path, parent(of: path))
    }
    if entry.st_mode & S_IFMT == S_IFLNK {
      var target = stat()
      if stat(path, &target) != 0 {
        return errno == ELOOP ? "\(path) is a loop of symbolic links" : "\(path) is a link to a missing target"
      }
      if target.st_mode & S_IFMT != S_IFDIR { return "\(path) is a link to a file, not to a folder" }
    } else if entry.st_mode & S_IFMT != S_IFDIR {
      return "\(path) is a \(kind(of: entry.st_mode)), not a folder"
    }
    guard child != path, mkdir(child, 0o777) != 0 else {
      if child != path { rmdir(child) }
      return nil
    }
    return String(cString: strerror(errno))
  }

  /// What an entry that is not a folder is, by its `st_mode`: "file" for a
  /// regular file, else "device, pipe or socket" (`--out /dev/null` was
  /// called a file).
  public static func kind(of mode: mode_t) -> String {
    mode & S_IFMT == S_IFREG ? "file" : "device, pipe or socket"
  }

  /// `path` without its last name ("." for a bare name, "/" at the root).
  static func parent(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let head = String(path[..<slash])
    return head.isEmpty ? "/" : head
  }

  static func currentFolder() -> String {
    var buffer = [CChar](repeating: 0, count: 4097)
    guard getcwd(&buffer, buffer.count) != nil else { return "" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
