"""Install-time check: the llama.cpp build is portable (no AMX extra buffer type)."""

import sys


def main() -> int:
    """Exit 1 with a fix when llama.cpp was built with AMX (it crashes on the first decode)."""
    import llama_cpp

    info = llama_cpp.llama_print_system_info().decode(errors="replace")
    if "AMX_INT8 = 1" in info:
        print("llama-cpp-python was built with AMX, which crashes on the first generation: "
              "run `make clean install` to rebuild it portably.", file=sys.stderr)
        return 1
    print("llama.cpp build:", " ".join(info.split()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
