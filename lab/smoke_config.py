"""A small self-contained Asterisk config for checking the lab itself (not the hotline's config).

PJSIP on 127.0.0.1:5060 (a trunk identified by IP, agents 1001-1003 by username with digest
REGISTER), AMI on 127.0.0.1:5038 (user `lab`), 45 modules. Dialplan, context `from-trunk`:
  95598  Answer, hello-world, Wait(20)       (DTMF target)
  95599  Busy()                              (caller gets 486)
  95595  Answer, Wait(1), Hangup             (Asterisk hangs up first)
  9560X  Answer, Dial(PJSIP/100X,6), NoOp(DIALSTATUS=...), Hangup   (X = 1..3)
"""

from __future__ import annotations

from pathlib import Path

from lab.ami import AmiCredentials

AMI = AmiCredentials("127.0.0.1", 5038, "lab", "labsecret")
AGENTS = {"1001": "pw1001", "1002": "pw1002", "1003": "pw1003"}

MODULES = """
res_timing_timerfd res_sorcery_config res_sorcery_memory res_sorcery_memory_cache res_sorcery_astdb
res_rtp_asterisk pbx_config
res_pjproject res_pjsip res_pjsip_session res_pjsip_pubsub chan_pjsip
res_pjsip_authenticator_digest res_pjsip_outbound_authenticator_digest
res_pjsip_endpoint_identifier_ip res_pjsip_endpoint_identifier_user
res_pjsip_endpoint_identifier_anonymous res_pjsip_registrar res_pjsip_sdp_rtp
res_pjsip_dtmf_info res_pjsip_caller_id res_pjsip_rfc3326 res_pjsip_nat res_pjsip_logger
res_pjsip_header_funcs
codec_ulaw codec_alaw codec_gsm format_wav format_gsm format_pcm format_sln
bridge_simple bridge_native_rtp bridge_softmix bridge_holding
app_dial app_playback app_echo app_read app_senddtmf
func_callerid func_channel func_strings func_logic
""".split()

DIRECTORIES = [
    ("astcachedir", "/var/cache/asterisk"),
    ("astetcdir", "/etc/asterisk"),
    ("astmoddir", None),
    ("astvarlibdir", "/var/lib/asterisk"),
    ("astdbdir", "/var/lib/asterisk"),
    ("astkeydir", "/var/lib/asterisk"),
    ("astdatadir", "/usr/share/asterisk"),
    ("astagidir", "/usr/share/asterisk/agi-bin"),
    ("astspooldir", "/var/spool/asterisk"),
    ("astrundir", "/var/run/asterisk"),
    ("astlogdir", "/var/log/asterisk"),
    ("astsbindir", "/usr/sbin"),
]

STATIC = {
    "logger.conf": "[general]\ndateformat = %F %T.%3q\n[logfiles]\n"
    "console => notice,warning,error,verbose\nfull => notice,warning,error,verbose,dtmf\n",
    "manager.conf": f"[general]\nenabled = yes\nport = {AMI.port}\nbindaddr = {AMI.host}\n"
    f"displayconnects = no\n\n[{AMI.username}]\nsecret = {AMI.secret}\n"
    "deny = 0.0.0.0/0.0.0.0\npermit = 127.0.0.1/255.255.255.255\nread = all\nwrite = all\n",
    "rtp.conf": "[general]\nrtpstart = 10000\nrtpend = 20000\nstrictrtp = no\nicesupport = no\n",
    "indications.conf": "[general]\ncountry = us\n[us]\ndescription = United States\n"
    "ringcadence = 2000,4000\ndial = 350+440\nbusy = 480+620/500,0/500\n"
    "ring = 440+480/2000,0/4000\ncongestion = 480+620/250,0/250\n",
    "stasis.conf": "[threadpool]\ninitial_size = 5\nidle_timeout_sec = 20\nmax_size = 50\n",
    "cdr.conf": "[general]\nenable = no\n",
    "cel.conf": "[general]\nenable = no\n",
    "features.conf": "[general]\n",
    "pjproject.conf": "[startup]\n",
    "acl.conf": "",
    "udptl.conf": "",
    "ccss.conf": "",
}

PJSIP_HEAD = """[global]
type = global
endpoint_identifier_order = username,ip,anonymous
user_agent = hotline-lab

[transport-udp]
type = transport
protocol = udp
bind = 127.0.0.1:5060

[ep-common](!)
type = endpoint
transport = transport-udp
disallow = all
allow = ulaw,alaw
dtmf_mode = rfc4733
direct_media = no
rtp_symmetric = yes
force_rport = yes
rewrite_contact = no
media_address = 127.0.0.1
bind_rtp_to_media_address = yes

[trunk](ep-common)
context = from-trunk

[trunk]
type = identify
endpoint = trunk
match = 127.0.0.1
"""

PJSIP_AGENT = """
[{ext}](ep-common)
context = agents
auth = {ext}
aors = {ext}

[{ext}]
type = aor
max_contacts = 1
remove_existing = yes
qualify_frequency = 0

[{ext}]
type = auth
auth_type = userpass
username = {ext}
password = {secret}
"""

EXTENSIONS = """[general]
static = yes
writeprotect = yes

[from-trunk]
exten => 95598,1,Answer()
 same => n,Playback(hello-world)
 same => n,Wait(20)
 same => n,Hangup()
exten => 95599,1,Busy()
exten => 95595,1,Answer()
 same => n,Wait(1)
 same => n,Hangup()
exten => _9560[1-3],1,Answer()
 same => n,Dial(PJSIP/100${EXTEN:-1},6)
 same => n,NoOp(DIALSTATUS=${DIALSTATUS})
 same => n,Hangup()

[agents]
exten => _X.,1,Hangup()
"""


def write_smoke_config(dest: Path | str, modules_dir: str) -> Path:
    """Write the smoke config into `dest` (created if needed); `modules_dir` as seen in the chroot."""
    out = Path(dest)
    out.mkdir(parents=True, exist_ok=True)
    dirs = "\n".join(f"{k} => {v or modules_dir}" for k, v in DIRECTORIES)
    files = dict(STATIC)
    files["asterisk.conf"] = (
        f"[directories]\n{dirs}\n\n[options]\nverbose = 3\nnocolor = yes\ndumpcore = no\n"
        "transmit_silence = no\nhideconnect = yes\ndefaultlanguage = en\n"
    )
    files["modules.conf"] = "[modules]\nautoload = no\n" + "".join(f"load = {m}.so\n" for m in MODULES)
    files["pjsip.conf"] = PJSIP_HEAD + "".join(
        PJSIP_AGENT.format(ext=ext, secret=secret) for ext, secret in AGENTS.items()
    )
    files["extensions.conf"] = EXTENSIONS
    for name, text in files.items():
        (out / name).write_text(text)
    return out
