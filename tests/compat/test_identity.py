"""Who the caller is and who else is in the organization, read through the SDK."""

from collections.abc import Callable

import pytest
from tallyfy import TallyfySDK, User, UsersList

from tests.compat.conftest import LiveServer


@pytest.mark.sdk("get_current_user_info")
def test_get_current_user_info_returns_the_token_owner_with_their_role(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    me = sdk.get_current_user_info(org_id)

    assert isinstance(me, User)
    assert me.id == live_server.org.admin.user_id
    assert me.email == live_server.org.admin.email
    assert me.first_name == "Admin"
    assert me.role == "admin"
    assert me.active is True


@pytest.mark.sdk("get_current_user_info")
def test_get_current_user_info_reports_the_standard_role_for_a_standard_member(
    standard_sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    me = standard_sdk.get_current_user_info(org_id)

    assert me is not None
    assert me.id == live_server.org.standard.user_id
    assert me.role == "standard"


@pytest.mark.sdk("get_organization_users")
def test_get_organization_users_lists_every_member_with_their_role(
    sdk: TallyfySDK, org_id: str, live_server: LiveServer
) -> None:
    users = sdk.get_organization_users(org_id)

    assert isinstance(users, UsersList)
    org = live_server.org
    roles = {user.id: user.role for user in users.data}
    assert roles == {
        org.admin.user_id: "admin",
        org.standard.user_id: "standard",
        org.light.user_id: "light",
    }
    assert {user.email for user in users.data} == {
        org.admin.email,
        org.standard.email,
        org.light.email,
    }
    assert users.count == 3
    assert users.meta is not None
    assert users.meta.total == 3
    assert users.meta.current_page == 1


@pytest.mark.sdk("get_current_user_info", "create_template", "get_template")
def test_sdk_works_the_same_when_the_base_url_ends_in_api(
    sdk_for: Callable[..., TallyfySDK], org_id: str, live_server: LiveServer
) -> None:
    client = sdk_for(live_server.org.admin.token, f"{live_server.base_url}/api")

    me = client.get_current_user_info(org_id)
    template = client.create_template(org_id, "Made under /api")
    assert template is not None
    fetched = client.get_template(org_id, template.id)

    assert me is not None
    assert me.id == live_server.org.admin.user_id
    assert fetched is not None
    assert fetched.id == template.id
    assert fetched.title == "Made under /api"
