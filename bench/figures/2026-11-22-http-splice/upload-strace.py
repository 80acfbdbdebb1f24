# SPDX-License-Identifier: Apache-2.0
# Ad hoc: system calls per upload through ballastd (strace -c on it), one keep-alive connection,
# the integration tests' HttpMember as the member. Run from anywhere:
#   python3 upload-strace.py BALLASTD N BODY_BYTES      (the figures: N=300, 65536)
import os, subprocess, sys, time, socket, json, tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../tests/integration'))
from conftest import free_port
from httputil import HttpMember, http_config, http_request
bd = sys.argv[1]; N = int(sys.argv[2]); size = int(sys.argv[3])
m = HttpMember()
port = free_port()
cfg = http_config(port, [m])
d = tempfile.mkdtemp()
open(d + '/c.json', 'w').write(json.dumps(cfg))
p = subprocess.Popen([bd, '--config', d + '/c.json', '--workers', '1', '--admin', d + '/a.sock', '--log-level', 'warn'])
for _ in range(100):
    try:
        socket.create_connection(('127.0.0.1', port), timeout=1).close(); break
    except OSError: time.sleep(0.05)
body = b'u' * size
st, _, _, s = http_request(port, '/warm', method='POST', body=body)
st_ = subprocess.Popen(['strace', '-c', '-f', '-p', str(p.pid), '-o', d + '/st.txt'])
time.sleep(0.5)
for i in range(N):
    st, _, _, s = http_request(port, f'/u{i}', method='POST', body=body, sock=s)
    assert st == 200
st_.send_signal(2); st_.wait()
p.terminate(); p.wait(); m.stop()
for line in open(d + '/st.txt'):
    f = line.split()
    if len(f) >= 5 and f[3].isdigit():
        print(f"{f[-1]:12s} {int(f[3])/N:6.2f}")
