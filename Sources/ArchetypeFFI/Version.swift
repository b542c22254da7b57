import CArrowABI

@c @implementation
func arct_ffi_version() -> UInt32 { ARCT_ABI_VERSION }
