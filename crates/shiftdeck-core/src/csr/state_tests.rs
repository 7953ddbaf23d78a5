use super::*;
use crate::csr::testutil::*;

#[test]
fn countdown_thresholds() {
    let c = t0();
    assert_eq!(
        Countdown::new(c, at(60)),
        Countdown::Remaining {
            secs: 3540,
            warning: false
        }
    );
    assert_eq!(Countdown::new(c, at(60)).label(), "59m00s left");
    // 15 minutes left exactly is a warning; one second more is not.
    assert!(!Countdown::new(c, at(2699)).is_warning());
    assert!(Countdown::new(c, at(2700)).is_warning());
    assert_eq!(Countdown::new(c, at(3590)).label(), "10s left");
    assert_eq!(Countdown::new(c, at(3600)), Countdown::Expired);
    assert_eq!(Countdown::new(c, at(7200)).label(), EXPIRED_LABEL);
    assert!(Countdown::new(c, at(7200)).is_warning());
}

#[test]
fn condition_labels_and_states() {
    let c = client_csr("a", "w1", t0());
    assert_eq!(condition_label(&c), "Pending");
    assert_eq!(csr_state(&c), CsrState::Pending);
    let approved = with_condition(c.clone(), "Approved", at(5));
    assert_eq!(condition_label(&approved), "Approved");
    assert_eq!(
        condition_label(&issued(approved.clone())),
        "Approved,Issued"
    );
    let failed = with_condition(approved.clone(), "Failed", at(6));
    assert_eq!(condition_label(&failed), "Approved,Failed");
    assert_eq!(csr_state(&failed), CsrState::Failed);
    let denied = with_condition(c.clone(), "Denied", at(5));
    assert_eq!(condition_label(&denied), "Denied");
    assert_eq!(csr_state(&denied), CsrState::Denied);
    // A condition with status False does not count.
    let mut f = with_condition(c, "Approved", at(5));
    if let Some(cs) = f.status.as_mut().and_then(|s| s.conditions.as_mut()) {
        cs[0].status = "False".into();
    }
    assert_eq!(csr_state(&f), CsrState::Pending);
}

#[test]
fn a_forgotten_certificate_still_counts_as_issued() {
    use k8s_openapi::ByteString;
    use k8s_openapi::api::certificates::v1::CertificateSigningRequestStatus;
    let mut c = CertificateSigningRequest {
        status: Some(CertificateSigningRequestStatus {
            certificate: Some(ByteString(b"-----BEGIN CERTIFICATE-----\n...".to_vec())),
            ..Default::default()
        }),
        ..Default::default()
    };
    assert!(is_issued(&c));
    forget_certificate(&mut c);
    assert!(is_issued(&c));
    let kept = &c
        .status
        .as_ref()
        .and_then(|s| s.certificate.as_ref())
        .expect("kept")
        .0;
    assert!(certificate_forgotten(kept));
    // Nothing issued: nothing changes.
    let mut pending = CertificateSigningRequest::default();
    forget_certificate(&mut pending);
    assert!(!is_issued(&pending));
}

/// A frame showing a countdown is due again the millisecond its whole seconds change.
#[test]
fn a_countdown_announces_its_next_second() {
    let created = Timestamp::from_second(1_700_000_000).expect("valid");
    let now = created + SignedDuration::from_millis(10_300);
    let (c, wait) = crate::age::changes_of(|| Countdown::new(created, now));
    assert_eq!(c.label(), "59m49s left");
    let wait = wait.expect("noted");
    assert_eq!(wait, std::time::Duration::from_millis(701));
    let later = now + SignedDuration::try_from(wait).expect("fits");
    assert_eq!(Countdown::new(created, later).label(), "59m48s left");
    let expired = created + SignedDuration::from_secs(3_601);
    let ((), none) = crate::age::changes_of(|| {
        Countdown::new(created, expired);
    });
    assert_eq!(none, None, "an expired countdown holds");
}
