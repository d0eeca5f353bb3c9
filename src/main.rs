fn main() {
    std::process::exit(spacecheck::cli::main());
}
