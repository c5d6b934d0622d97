"""Sign-in in AWS: a Cognito user pool whose ID tokens carry the claims the API reads.

The API's Cognito authorizer verifies the ID token and hands its claims to the Lambda
(`coaching.api.identity`: `sub`, `custom:organization_id`, `custom:role`, `custom:coach_id`).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from cdk_nag import NagSuppressions
from constructs import Construct

# Cognito prefixes these with `custom:` in tokens; coaching.api.identity reads them so.
ORGANIZATION_ATTRIBUTE = "organization_id"
ROLE_ATTRIBUTE = "role"
COACH_ATTRIBUTE = "coach_id"
UUID_LENGTH = 36
TOKEN_VALIDITY = Duration.minutes(15)
REFRESH_TOKEN_VALIDITY = Duration.days(30)
# What Cognito emails a person an admin adds without giving a password (`coach users add`,
# `coach org create`): Cognito fills in {username} and {####}, the temporary password.
INVITATION_SUBJECT = "Your coaching platform account"
INVITATION_BODY = (
    "An administrator created your coaching platform account. Sign in with {username} and "
    "the temporary password {####} within 3 days; you then choose your own password."
)


class CoachIdentity(Construct):
    """Admins create the users (no self sign-up); people sign in with their email.

    MFA is TOTP only (no SMS). Cognito's MFA setting is pool-wide: OPTIONAL by default,
    REQUIRED with ``mfa_required``. An organization that must enforce MFA while others do not
    gets a user pool of its own (one stack per such organization) or every organization
    gets REQUIRED; there is no per-user-group switch.
    """

    def __init__(self, scope: Construct, construct_id: str, *, mfa_required: bool) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            self_sign_up_enabled=False,
            user_invitation=cognito.UserInvitationConfig(
                email_subject=INVITATION_SUBJECT, email_body=INVITATION_BODY
            ),
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
            ),
            custom_attributes={
                # A user belongs to one organization for good: moving means a new user.
                ORGANIZATION_ATTRIBUTE: cognito.StringAttribute(
                    min_len=UUID_LENGTH, max_len=UUID_LENGTH, mutable=False
                ),
                # Changed by admins (AdminUpdateUserAttributes, IAM); the app client cannot
                # write either (see write_attributes below).
                ROLE_ATTRIBUTE: cognito.StringAttribute(min_len=1, max_len=20, mutable=True),
                COACH_ATTRIBUTE: cognito.StringAttribute(
                    min_len=UUID_LENGTH, max_len=UUID_LENGTH, mutable=True
                ),
            },
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
                password_history_size=5,
            ),
            mfa=cognito.Mfa.REQUIRED if mfa_required else cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # Plus: threat protection blocks compromised credentials and risky sign-ins
            # (cdk-nag COG8). Billed per monthly active user: coaches, not their clients.
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        if not mfa_required:
            NagSuppressions.add_resource_suppressions(
                self.user_pool,
                [
                    {
                        "id": "AwsSolutions-COG2",
                        "reason": "MFA (TOTP) is OPTIONAL unless the deployment sets context "
                        "coaching:mfaRequired=true; Cognito's MFA setting is pool-wide, so an "
                        "organization that must enforce it gets REQUIRED or its own pool.",
                    },
                ],
            )
        self.client = self.user_pool.add_client(
            "ApiClient",
            # No client secret: only the API Lambda calls InitiateAuth, and a secret would
            # add nothing (the sign-in endpoint is public either way, with the same password
            # and MFA checks) while every call would need a SECRET_HASH of the username.
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_password=True),  # + REFRESH_TOKEN_AUTH, always
            disable_o_auth=True,
            access_token_validity=TOKEN_VALIDITY,
            id_token_validity=TOKEN_VALIDITY,
            refresh_token_validity=REFRESH_TOKEN_VALIDITY,
            auth_session_validity=Duration.minutes(5),
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            # Read: the custom attributes appear in the ID token. Write: none of ours, so a
            # user cannot change their own organization, role or coach link.
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(email=True, email_verified=True, fullname=True)
            .with_custom_attributes(ORGANIZATION_ATTRIBUTE, ROLE_ATTRIBUTE, COACH_ATTRIBUTE),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(fullname=True),
        )
