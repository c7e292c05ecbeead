//! Issue 11: how `weld` touches the disk. Generated files are replaced
//! atomically (never rewritten in place, where a crash leaves a truncated
//! file), and loading a directory survives symbolic-link loops.

use std::path::Path;

use weld_codegen::rust::OutputSet;
use weld_codegen::smithy::{load_paths, W_DIR_CYCLE};

#[test]
fn generated_files_are_replaced_not_rewritten_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("src/lib.rs");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(&target, "// old\n").unwrap();
    // A second name for the old file: an in-place write would change what
    // it shows too; a replace (new file, rename) leaves it alone.
    let witness = dir.path().join("witness.rs");
    std::fs::hard_link(&target, &witness).unwrap();

    let mut out = OutputSet::new();
    out.insert("src/lib.rs", "// new\n");
    let written = out.write_changed(dir.path()).unwrap();
    assert_eq!(written, vec![target.clone()]);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "// new\n");
    assert_eq!(
        std::fs::read_to_string(&witness).unwrap(),
        "// old\n",
        "the file was rewritten in place"
    );
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["lib.rs"]);
}

#[test]
fn a_failed_write_leaves_the_old_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("lib.rs");
    std::fs::write(&target, "// old\n").unwrap();
    // The target is a directory: the rename fails, the old content stays,
    // and no temporary file remains.
    let blocked = dir.path().join("blocked");
    std::fs::create_dir_all(blocked.join("inner")).unwrap();
    assert!(weld_codegen::rust::write_atomic(&blocked, b"x").is_err());
    assert!(blocked.join("inner").is_dir());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, ["blocked", "lib.rs"]);
}

fn write(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn symlink_loops_are_detected_not_followed_forever() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ifaces");
    write(
        &root.join("a/one.smithy"),
        "$version: \"2\"\nnamespace test.one\nstring One\n",
    );
    // Two links back to the root: without loop detection the walk recurses
    // (and branches) until the stack overflows.
    std::os::unix::fs::symlink(&root, root.join("a/up")).unwrap();
    std::os::unix::fs::symlink("..", root.join("a/parent")).unwrap();
    let r = load_paths(&[root.clone()]);
    let loops: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == W_DIR_CYCLE)
        .collect();
    assert_eq!(loops.len(), 2, "{:?}", r.diagnostics);
    assert!(!r.has_errors(), "{:?}", r.diagnostics);
    // The one file was read once (a second read would be a duplicate shape).
    let id = weld_codegen::model::ShapeId::parse("test.one#One").unwrap();
    assert!(r.model.shape(&id).is_some());
}
