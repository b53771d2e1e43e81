"""After signing: amendments, renewal, re-linking, termination, and the history of each."""

from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import assert_problem, create_agreement, finalize, sign, sign_all
from tests.world import Kalsel, nk_body, pks_body

BASE = "/api/v1/agreements"


def signed(client: TestClient, body: dict[str, Any], on: str = "2022-07-04") -> dict[str, Any]:
    return sign_all(client, create_agreement(client, **body), on)


def actions(client: TestClient, agreement_id: int) -> list[str]:
    page = client.get(f"{BASE}/{agreement_id}/history").json()
    return [e["action"] for e in page["items"]]


class TestAmendments:
    def active_pks(self, client: TestClient, kalsel: Kalsel, nk_id: int) -> dict[str, Any]:
        return signed(
            client,
            pks_body(
                kalsel,
                nk_id,
                agency=kalsel.dinkes,
                title="PKS Dinkes",
                valid_from="2022-07-04",
                valid_until="2026-12-31",
                scope_items=[{"title": "Pencegahan maladministrasi"}, {"title": "Pertukaran data"}],
            ),
        )

    def amend(self, client: TestClient, kalsel: Kalsel, pks: dict[str, Any]) -> Any:
        return client.post(
            f"{BASE}/{pks['id']}/amendments",
            json={
                "title": "Adendum I PKS Dinkes",
                "valid_until": "2027-12-31",
                "scope_items_added": [{"title": "Pendampingan berkala"}],
                "scope_item_ids_withdrawn": [pks["scope_items"][1]["id"]],
                "parties": [
                    {"organization_id": kalsel.office, "document_number": "12/ADD/XI/2026"}
                ],
            },
        )

    def test_an_expired_pks_cannot_be_amended(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = signed(
            client,
            pks_body(kalsel, signed_nk["id"], valid_from="2022-07-04", valid_until="2025-07-03"),
        )
        assert pks["status"] == "expired"
        response = client.post(
            f"{BASE}/{pks['id']}/amendments", json={"title": "Adendum", "valid_until": "2027-07-03"}
        )
        assert_problem(response, 409, "cannot-amend")  # renew it instead

    def test_an_amendment_is_a_draft_signed_by_the_same_parties_with_their_numbers(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        active = self.active_pks(client, kalsel, signed_nk["id"])
        response = self.amend(client, kalsel, active)
        assert response.status_code == 201, response.text
        amendment = response.json()
        assert amendment["kind"] == "amendment" and amendment["amends_id"] == active["id"]
        assert amendment["status"] == "draft"
        assert amendment["parties"][0]["document_number"] == "12/ADD/XI/2026"

    def test_until_signed_the_amendment_changes_nothing(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        active = self.active_pks(client, kalsel, signed_nk["id"])
        self.amend(client, kalsel, active)
        before = client.get(f"{BASE}/{active['id']}").json()
        assert before["valid_until"] == "2026-12-31"
        assert before["amendments"][0]["in_effect"] is False

    def test_an_amendment_has_no_parent_and_keeps_its_parties(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        active = self.active_pks(client, kalsel, signed_nk["id"])
        amendment = self.amend(client, kalsel, active).json()
        url = f"{BASE}/{amendment['id']}"
        assert_problem(
            client.patch(url, json={"version": amendment["version"], "parent_id": 1}),
            422,
            "amendment-has-no-parent",
        )
        strangers = [{"organization_id": kalsel.ori}, {"organization_id": kalsel.kalteng}]
        assert_problem(
            client.patch(url, json={"version": amendment["version"], "parties": strangers}),
            409,
            "amendment-parties-fixed",
        )

    def test_once_fully_signed_its_validity_and_scope_take_effect(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        active = self.active_pks(client, kalsel, signed_nk["id"])
        amendment = self.amend(client, kalsel, active).json()
        sign_all(client, amendment, "2026-11-20")
        after = client.get(f"{BASE}/{active['id']}").json()
        assert after["valid_until"] == "2027-12-31"
        assert after["valid_until_as_signed"] == "2026-12-31"
        assert [s["title"] for s in after["scope_items"]] == [
            "Pencegahan maladministrasi",
            "Pendampingan berkala",
        ]
        assert after["scope_items"][1]["added_by_amendment_id"] == amendment["id"]
        assert after["amendments"][0]["in_effect"] is True
        assert after["amendments"][0]["signed_on"] == "2026-11-20"
        assert "amended" in actions(client, active["id"])

    def test_the_amended_end_is_what_lists_filter_on(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        active = self.active_pks(client, kalsel, signed_nk["id"])
        sign_all(client, self.amend(client, kalsel, active).json(), "2026-11-20")
        listed = client.get(BASE, params={"expiring_before": "2027-01-31", "kind": "pks"}).json()
        assert active["id"] not in [a["id"] for a in listed["items"]]

    def test_an_amendment_cannot_push_a_pks_past_its_nk(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = signed(
            client, nk_body(kalsel, valid_from="2021-10-28", valid_until="2026-10-27"), "2021-10-28"
        )
        pks = signed(
            client, pks_body(kalsel, nk["id"], valid_from="2022-07-04", valid_until="2025-07-03")
        )
        response = client.post(
            f"{BASE}/{pks['id']}/amendments", json={"title": "Adendum", "valid_until": "2027-01-01"}
        )
        # The PKS expired: refused as not in force. Try on an active one under an NK ending later.
        assert response.status_code in (409, 422)
        nk2 = signed(
            client,
            nk_body(
                kalsel,
                title="NK 2",
                valid_from="2021-10-28",
                valid_until="2026-12-31",
                parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.province}],
            ),
            "2021-10-28",
        )
        pks2 = signed(
            client,
            pks_body(
                kalsel,
                nk2["id"],
                agency=kalsel.dinkes,
                title="PKS 2",
                valid_from="2022-07-04",
                valid_until="2026-12-01",
            ),
        )
        response = client.post(
            f"{BASE}/{pks2['id']}/amendments",
            json={"title": "Adendum", "valid_until": "2027-01-01"},
        )
        assert_problem(response, 422, "amendment-past-nk")

    def test_an_amendment_states_a_change_and_only_for_a_signed_agreement(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        url = f"{BASE}/{signed_nk['id']}/amendments"
        assert_problem(
            client.post(url, json={"title": "Adendum"}), 422, "amendment-changes-nothing"
        )
        assert_problem(
            client.post(url, json={"title": "A", "scope_item_ids_withdrawn": [99999]}),
            422,
            "scope-item-not-in-agreement",
        )
        draft = create_agreement(
            client,
            **nk_body(
                kalsel,
                title="Draft",
                parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.kalteng}],
            ),
        )
        assert_problem(
            client.post(
                f"{BASE}/{draft['id']}/amendments", json={"title": "A", "valid_until": "2030-01-01"}
            ),
            409,
            "cannot-amend",
        )
        body = {
            "kind": "amendment",
            "title": "A",
            "parties": [{"organization_id": kalsel.ori}, {"organization_id": kalsel.province}],
        }
        assert_problem(client.post(BASE, json=body), 422, "amendment-via-its-agreement")


class TestRenewal:
    def test_successor_supersedes_once_in_force_and_pks_are_relinked(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        old = signed(
            client, nk_body(kalsel, valid_from="2021-10-28", valid_until="2026-10-27"), "2021-10-28"
        )
        pks = signed(client, pks_body(kalsel, old["id"], valid_from="2022-07-04"))
        response = client.post(
            f"{BASE}/{old['id']}/renew",
            json={"valid_from": "2026-01-28", "valid_until": "2031-01-27"},
        )
        assert response.status_code == 201, response.text
        new = response.json()
        assert new["status"] == "draft" and new["supersedes_id"] == old["id"]
        assert [p["organization_id"] for p in new["parties"]] == [kalsel.ori, kalsel.province]
        assert all(p["document_number"] is None for p in new["parties"])
        assert [s["title"] for s in new["scope_items"]] == [s["title"] for s in old["scope_items"]]
        assert client.get(f"{BASE}/{old['id']}").json()["superseded_by_id"] == new["id"]
        assert_problem(client.post(f"{BASE}/{old['id']}/renew", json={}), 409, "already-renewed")

        sign_all(client, new, "2026-01-28")
        assert client.get(f"{BASE}/{old['id']}").json()["status"] == "superseded"
        stale = client.get(f"{BASE}/{pks['id']}").json()
        assert [w["code"] for w in stale["warnings"]] == ["parent_inactive"]

        relinked = client.post(f"{BASE}/{new['id']}/relink", json={})
        assert relinked.status_code == 200, relinked.text
        assert relinked.json()["relinked"] == [pks["id"]]
        moved = client.get(f"{BASE}/{pks['id']}").json()
        assert moved["parent_id"] == new["id"] and moved["warnings"] == []
        assert "relinked" in actions(client, pks["id"])
        assert actions(client, old["id"])[0] == "renewed"

    def test_a_past_day_sees_the_renewal_only_from_when_it_took_effect(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        """Read as of a past day (recomputed from the rows, not the stored copy), the old NK is
        active before its renewal started and superseded from that day on."""
        old = signed(
            client, nk_body(kalsel, valid_from="2021-10-28", valid_until="2026-10-27"), "2021-10-28"
        )
        new = client.post(
            f"{BASE}/{old['id']}/renew",
            json={"valid_from": "2026-01-28", "valid_until": "2031-01-27"},
        ).json()
        sign_all(client, new, "2026-01-20")

        def status_on(day: str) -> str:
            page = client.get(f"{BASE}/{old['id']}/coverage", params={"as_of": day}).json()
            return str(page["nk_status"])

        assert status_on("2026-11-01") == "superseded"  # not expired: renewed in time
        assert status_on("2026-01-27") == "active"
        assert status_on("2026-01-28") == "superseded"
        assert client.get(f"{BASE}/{old['id']}").json()["status"] == "superseded"

    def test_relink_is_all_or_nothing(self, client: TestClient, kalsel: Kalsel) -> None:
        old = signed(client, nk_body(kalsel), "2021-10-28")
        pks = signed(
            client, pks_body(kalsel, old["id"], valid_from="2022-07-04", valid_until="2030-01-01")
        )
        new = client.post(f"{BASE}/{old['id']}/renew", json={"valid_until": "2028-01-01"}).json()
        response = client.post(f"{BASE}/{new['id']}/relink", json={"pks_ids": [pks["id"], 424242]})
        problem = assert_problem(response, 422, "relink-refused")
        assert len(problem["errors"]) == 2
        assert client.get(f"{BASE}/{pks['id']}").json()["parent_id"] == old["id"]
        assert_problem(client.post(f"{BASE}/{old['id']}/relink", json={}), 422, "not-a-renewed-nk")

    def test_a_draft_cannot_be_renewed(self, client: TestClient, kalsel: Kalsel) -> None:
        draft = create_agreement(client, **nk_body(kalsel))
        assert_problem(client.post(f"{BASE}/{draft['id']}/renew", json={}), 409, "cannot-renew")


class TestTermination:
    def test_terminating_an_nk_lists_its_pks_and_warns_them(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = signed(client, pks_body(kalsel, signed_nk["id"]))
        response = client.post(
            f"{BASE}/{signed_nk['id']}/terminate",
            json={"terminated_on": "2026-01-27", "reason": "Diganti NK 2026"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["agreement"]["status"] == "terminated"
        assert body["agreement"]["termination_reason"] == "Diganti NK 2026"
        assert body["cascaded"] is False
        assert [(a["id"], a["status"]) for a in body["affected_pks"]] == [(pks["id"], "active")]
        after = client.get(f"{BASE}/{pks['id']}").json()
        assert after["status"] == "active"
        assert [w["code"] for w in after["warnings"]] == ["parent_inactive"]
        coverage = client.get(f"{BASE}/{signed_nk['id']}/coverage").json()
        assert coverage["nk_status"] == "terminated"
        held = {a["organization_id"]: a["pks"] for a in coverage["governments"][0]["agencies"]}
        assert held[kalsel.diskominfo]["warnings"] == ["parent_inactive"]
        assert_problem(
            client.post(
                f"{BASE}/{signed_nk['id']}/terminate",
                json={"terminated_on": "2026-01-27", "reason": "again"},
            ),
            409,
            "cannot-terminate",
        )

    def test_cascade_terminates_the_pks_in_the_same_call(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = signed(client, pks_body(kalsel, signed_nk["id"]))
        draft = create_agreement(
            client, **pks_body(kalsel, signed_nk["id"], agency=kalsel.dinkes, title="D")
        )
        body = client.post(
            f"{BASE}/{signed_nk['id']}/terminate",
            json={"terminated_on": "2026-01-27", "reason": "Diganti NK 2026", "cascade": True},
        ).json()
        assert body["cascaded"] is True
        assert {a["id"]: a["status"] for a in body["affected_pks"]} == {
            pks["id"]: "terminated",
            draft["id"]: "terminated",
        }
        after = client.get(f"{BASE}/{pks['id']}").json()
        assert after["status"] == "terminated" and after["terminated_on"] == "2026-01-27"
        assert actions(client, pks["id"])[0] == "terminated"

    def test_termination_rules(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        url = f"{BASE}/{signed_nk['id']}/terminate"
        assert_problem(
            client.post(url, json={"terminated_on": "2021-01-01", "reason": "x"}),
            422,
            "terminated-before-signed",
        )
        assert_problem(client.post(url, json={"terminated_on": "2026-01-01"}), 422)
        assert_problem(client.post(url, json={"terminated_on": "2026-01-01", "reason": ""}), 422)
        draft = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        assert_problem(
            client.post(
                f"{BASE}/{draft['id']}/terminate",
                json={"terminated_on": "2026-01-01", "reason": "x"},
            ),
            409,
        )
        future = client.post(url, json={"terminated_on": "2027-01-01", "reason": "Berakhir"})
        assert future.json()["agreement"]["status"] == "active"


class TestHistory:
    def test_each_action_is_recorded_newest_first(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        client.patch(f"{BASE}/{nk['id']}", json={"version": nk["version"], "title": "Judul baru"})
        finalize(client, nk["id"])
        client.post(f"{BASE}/{nk['id']}/reopen")
        finalize(client, nk["id"])
        sign(client, nk["id"], kalsel.ori, "2021-10-28")
        page = client.get(f"{BASE}/{nk['id']}/history").json()
        assert [e["action"] for e in page["items"]] == [
            "signed",
            "finalized",
            "reopened",
            "finalized",
            "updated",
            "created",
        ]
        assert page["total"] == 6
        signed_event, updated = page["items"][0], page["items"][4]
        assert signed_event["details"]["organization_name"] == "Ombudsman Republik Indonesia"
        assert signed_event["details"]["signed_on"] == "2021-10-28"
        assert updated["details"]["changes"]["title"]["new"] == "Judul baru"
        assert updated["details"]["changes"]["title"]["old"] == nk["title"]

    def test_history_cannot_be_edited_and_a_refused_change_leaves_none(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        url = f"{BASE}/{nk['id']}/history"
        assert_problem(client.post(url, json={}), 405)
        assert_problem(client.delete(url), 405)
        assert_problem(client.patch(f"{BASE}/{nk['id']}", json={"version": 99, "title": "X"}), 409)
        assert client.get(url).json()["total"] == 1
        assert_problem(client.get(f"{BASE}/9999/history"), 404)
