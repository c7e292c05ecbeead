//! The `weld` command line; all of it lives in [`weld_codegen::cli`].

fn main() -> std::process::ExitCode {
    weld_codegen::cli::main()
}
