//! Real PKCS#10 requests and issued certificates for the sim's CSRs.
