"""One app, three faces: the onion, the staff onion and the clearnet mirror."""

import pytest

from movements.app.web.faces import StaffListener

ONION = "a" * 52 + "qd.onion"
STAFF_ONION = "b" * 52 + "qd.onion"
MIRROR = "movements.example.org"


@pytest.fixture
def faced(app):
    app.config.update(ONION_ADDRESS=ONION, MIRROR_HOST=MIRROR)
    return app


def test_unknown_host_is_refused(faced):
    response = faced.test_client().get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400


@pytest.mark.parametrize("host", [ONION, MIRROR, "127.0.0.1:8000", "localhost"])
def test_known_hosts_are_served(faced, host):
    assert faced.test_client().get("/", headers={"Host": host}).status_code == 200


def test_clearnet_face_points_to_the_onion_and_pins_tls(faced):
    response = faced.test_client().get("/requests?skill=legal", headers={"Host": MIRROR})
    assert response.headers["Onion-Location"] == f"http://{ONION}/requests?skill=legal"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_onion_face_names_no_clearnet_host_and_sends_no_hsts(faced, activist):
    client = faced.test_client()
    response = client.get("/account", headers={"Host": ONION})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"http://{ONION}/login")
    for header, value in response.headers.items():
        assert MIRROR not in value, header
    assert "Strict-Transport-Security" not in response.headers
    assert "Onion-Location" not in response.headers


def test_each_face_has_its_own_session_cookie(faced):
    onion = faced.test_client().get("/login", headers={"Host": ONION})
    mirror = faced.test_client().get("/login", headers={"Host": MIRROR})
    assert onion.headers["Set-Cookie"].startswith("movements_session=")
    assert mirror.headers["Set-Cookie"].startswith("movements_mirror=")
    assert "Secure" in mirror.headers["Set-Cookie"]
    assert "Secure" not in onion.headers["Set-Cookie"]


def test_with_a_staff_onion_the_staff_area_exists_only_there(faced):
    faced.config["STAFF_ONION_ADDRESS"] = STAFF_ONION
    public = faced.test_client()
    for host in (ONION, MIRROR, "localhost"):
        assert public.get("/staff", headers={"Host": host}).status_code == 404
    # a Host header cannot claim the staff onion on the public listener
    assert public.get("/staff", headers={"Host": STAFF_ONION}).status_code == 400
    staff_app = faced.test_client()
    staff_app.application.wsgi_app = StaffListener(faced.wsgi_app)
    assert staff_app.get("/requests", headers={"Host": STAFF_ONION}).status_code == 404
    assert staff_app.get("/login", headers={"Host": STAFF_ONION}).status_code == 200
    assert staff_app.get("/login", headers={"Host": ONION}).status_code == 400
