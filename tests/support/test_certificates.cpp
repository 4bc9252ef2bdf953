#include "test_certificates.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace cabind::testing {
namespace {

namespace fs = std::filesystem;

std::string quoted(const fs::path& path) {
  return "'" + path.string() + "'";
}

void openssl(const fs::path& dir, const std::string& arguments) {
  const fs::path log = dir / "openssl.log";
  const std::string command =
      "cd " + quoted(dir) + " && openssl " + arguments + " >" + quoted(log) + " 2>&1";
  if (std::system(command.c_str()) != 0) {
    std::ifstream file(log);
    std::ostringstream output;
    output << file.rdbuf();
    throw std::runtime_error("openssl " + arguments + " failed:\n" + output.str());
  }
}

// One file for `req`, `x509 -extfile` and `ca`: the extensions of each kind of
// certificate, and the minimal database `openssl ca` needs.
void write_openssl_config(const fs::path& dir) {
  std::ofstream(dir / "index.txt");
  std::ofstream(dir / "serial") << "1000\n";
  std::ofstream conf(dir / "openssl.cnf");
  conf << "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = cabind-test\n"
       << "[v3_ca]\nbasicConstraints = critical,CA:TRUE\n"
       << "keyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n"
       << "[server]\nbasicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\n"
       << "subjectAltName = IP:127.0.0.1,DNS:localhost\n"
       << "[client]\nbasicConstraints = CA:FALSE\nextendedKeyUsage = clientAuth\n"
       << "[ca]\ndefault_ca = test_ca\n"
       << "[test_ca]\ndatabase = " << (dir / "index.txt").string() << "\n"
       << "new_certs_dir = " << dir.string() << "\nserial = " << (dir / "serial").string()
       << "\ndefault_md = sha256\npolicy = any\nx509_extensions = client\n"
       << "unique_subject = no\n[any]\ncommonName = supplied\n";
}

const std::string kNewKey = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";

void make_ca(const fs::path& dir, const std::string& name) {
  openssl(dir, "req -x509 -config openssl.cnf -extensions v3_ca " + kNewKey + "-keyout " + name +
                   ".key -out " + name + ".crt -days 30 -subj /CN=" + name);
}

void make_request(const fs::path& dir, const std::string& name, const std::string& cn) {
  openssl(dir, "req -new -config openssl.cnf " + kNewKey + "-keyout " + name + ".key -out " + name +
                   ".csr -subj /CN=" + cn);
}

void sign(const fs::path& dir, const std::string& name, const std::string& extensions) {
  openssl(dir, "x509 -req -in " + name + ".csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 " +
                   "-extfile openssl.cnf -extensions " + extensions + " -out " + name + ".crt");
}

}  // namespace

TestCertificates make_test_certificates(const fs::path& dir) {
  fs::create_directories(dir);
  write_openssl_config(dir);
  make_ca(dir, "ca");
  make_ca(dir, "other-ca");
  make_request(dir, "server", "localhost");
  sign(dir, "server", "server");
  make_request(dir, "client", "car-42");
  sign(dir, "client", "client");
  make_request(dir, "expired", "car-expired");
  openssl(dir,
          "ca -batch -config openssl.cnf -cert ca.crt -keyfile ca.key -notext "
          "-startdate 20200101000000Z -enddate 20200201000000Z "
          "-in expired.csr -out expired.crt");
  return TestCertificates{.ca_cert = dir / "ca.crt",
                          .server_cert = dir / "server.crt",
                          .server_key = dir / "server.key",
                          .client_cert = dir / "client.crt",
                          .client_key = dir / "client.key",
                          .other_ca_cert = dir / "other-ca.crt",
                          .expired_cert = dir / "expired.crt",
                          .expired_key = dir / "expired.key"};
}

}  // namespace cabind::testing
